//! The output formats: the JSON contract of SPEC §2, CSV, and tables.

on_both_engines! {
fn json_prints_one_line_per_statement(env) {
    let run = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        "CREATE S3 CONNECTION a PATH_DISPLAY_FILTER = 's3://bkt/p/'; ALTER S3 CONNECTION a SET COMMENT = 'c'; \
         ALTER CONNECTION a RENAME TO b; SHOW CONNECTIONS; DESCRIBE CONNECTION b; CREATE S3 CONNECTION IF NOT EXISTS b; \
         DROP CONNECTION b; DROP CONNECTION IF EXISTS b; SHOW CONNECTIONS",
    ]);
    run.ok();
    let lines = run.json_lines();
    assert_eq!(lines.len(), 9, "{}", run.stdout);
    let status: Vec<String> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap_or("rows").to_string())
        .collect();
    assert_eq!(
        status,
        [
            "created", "altered", "renamed", "rows", "rows", "skipped", "dropped", "skipped",
            "rows"
        ]
    );
    assert_eq!(lines[0]["connection"], "a");
    assert_eq!(lines[2]["connection"], "b");
    let row = &lines[3][0];
    let keys: Vec<&str> = row
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "type",
            "authentication",
            "aws_role",
            "external_id",
            "aws_access_key_id",
            "read_only",
            "path_display_filters",
            "encryption_kms_key",
            "comment",
            "created_at",
            "updated_at",
            "validated_at"
        ]
    );
    assert_eq!(row["type"], "S3");
    assert_eq!(row["authentication"], "default");
    assert_eq!(row["read_only"], false);
    assert_eq!(
        row["path_display_filters"],
        serde_json::json!(["s3://bkt/p/"])
    );
    assert_eq!(row["aws_role"], serde_json::Value::Null);
    let created = row["created_at"].as_str().expect("created_at");
    assert!(
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{created}"
    );
    assert!(created.ends_with('Z'), "UTC: {created}");
    assert_eq!(lines[8], serde_json::json!([]));
}
}

on_both_engines! {
fn json_errors_stay_on_stderr(env) {
    let run = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        "CREATE S3 CONNECTION a; DROP CONNECTION nope",
    ]);
    run.fails(1);
    assert_eq!(run.json_lines().len(), 1);
    assert!(run.stderr.contains("error[connection-not-found]"));
}
}

on_both_engines! {
fn csv_has_a_header_and_quotes_as_needed(env) {
    env.sql("CREATE S3 CONNECTION a COMMENT = 'has, comma'");
    let run = env.run(&["--no-validate", "--format", "csv", "-c", "SHOW CONNECTIONS"]);
    let out = run.ok();
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            "name,type,authentication,aws_role,external_id,aws_access_key_id,read_only,path_display_filters,encryption_kms_key,comment,created_at,updated_at,validated_at"
        )
    );
    let row = lines.next().expect("row");
    assert!(
        row.starts_with("a,S3,default,,,,false,[],,\"has, comma\","),
        "{row}"
    );
}
}

on_both_engines! {
fn table_lists_rows_and_counts_them(env) {
    env.sql("CREATE S3 CONNECTION a; CREATE S3 CONNECTION b");
    let out = env.sql("SHOW CONNECTIONS");
    assert!(out.contains("| name |"), "{out}");
    // Counted, and what the compact table leaves out is said.
    assert!(
        out.ends_with(
            "(2 rows)\n(not shown: created_at, updated_at; -x or --format json shows every column)\n"
        ),
        "{out}"
    );
    env.sql("CREATE JOB j AS INSERT INTO S3 a LOCATION = 's3://lake-raw/out/' SELECT x FROM db.t");
    let jobs = env.sql("SHOW JOBS");
    assert!(jobs.contains("not shown: source_tables, created_at, updated_at"), "{jobs}");
    assert_eq!(
        env.sql("SHOW CONNECTIONS LIKE 'zzz'").lines().last(),
        Some("(0 rows)")
    );
}
}

on_both_engines! {
fn quiet_keeps_result_sets_only(env) {
    let out = env.run(&[
        "--no-validate",
        "--quiet",
        "-c",
        "CREATE S3 CONNECTION a; SHOW CONNECTIONS",
    ]);
    assert!(out.ok().starts_with('+'), "{}", out.stdout);
}
}

on_both_engines! {
/// A batch's CSV is one file per shape of result: the header is written once, not per statement.
fn csv_reports_changes_under_one_header(env) {
    let run = env.run(&[
        "--no-validate",
        "--format",
        "csv",
        "-c",
        "CREATE S3 CONNECTION a; DROP CONNECTION IF EXISTS b",
    ]);
    assert_eq!(
        run.ok(),
        "status,connection,detail,dry_run\ncreated,a,,false\nskipped,b,it does not exist,false\n"
    );
}
}
