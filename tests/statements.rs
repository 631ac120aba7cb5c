//! Each statement's semantics, through the real binary on a fresh catalog (offline).

use crate::util::Env;

const LAKE: &str = "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' \
                    EXTERNAL_ID = 'a1b2c3d4' READ_ONLY = TRUE COMMENT = 'raw zone'";

fn row<'a>(rows: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no connection {name} in {rows:?}"))
}

fn describe(env: &Env, name: &str, property: &str) -> serde_json::Value {
    let run = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        &format!("DESCRIBE CONNECTION {name}"),
    ]);
    run.ok();
    let rows = run.json_lines().pop().expect("one line");
    rows.as_array()
        .expect("rows")
        .iter()
        .find(|r| r["property"] == property)
        .map(|r| r["value"].clone())
        .unwrap_or_else(|| panic!("no property {property}"))
}

on_both_engines! {
fn create_then_show(env) {
    assert_eq!(env.sql(LAKE), "created connection lake\n");
    let rows = env.connections();
    let lake = row(&rows, "lake");
    assert_eq!(
        lake["aws_role"],
        "arn:aws:iam::123456789012:role/lake-reader"
    );
    assert_eq!(lake["external_id"], "a1b2c3d4");
    assert_eq!(lake["read_only"], true);
    assert_eq!(lake["comment"], "raw zone");
    assert_eq!(lake["authentication"], "role");
    assert_eq!(
        lake["validated_at"],
        serde_json::Value::Null,
        "--no-validate never marks validated"
    );
}
}

on_both_engines! {
fn create_of_an_existing_name_fails(env) {
    env.sql(LAKE);
    let err = env.run(&["--no-validate", "-c", LAKE]).fails(1).to_string();
    assert!(
        err.contains("error[connection-exists]: connection lake already exists"),
        "{err}"
    );
    assert!(err.contains("CREATE OR REPLACE"), "{err}");
}
}

on_both_engines! {
fn if_not_exists_on_existing_is_skipped(env) {
    env.sql(LAKE);
    let out = env.sql("CREATE S3 CONNECTION IF NOT EXISTS lake COMMENT = 'other'");
    assert_eq!(out, "skipped: connection lake (it already exists)\n");
    assert_eq!(row(&env.connections(), "lake")["comment"], "raw zone");
}
}

on_both_engines! {
fn or_replace_keeps_identity_and_reports_unchanged(env) {
    env.sql(LAKE);
    let id = describe(&env, "lake", "id");
    let created = row(&env.connections(), "lake")["created_at"].clone();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let out = env.sql("CREATE OR REPLACE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/other' EXTERNAL_ID = 'zz'");
    assert_eq!(out, "replaced connection lake\n");
    assert_eq!(describe(&env, "lake", "id"), id);
    let lake = row(&env.connections(), "lake").clone();
    assert_eq!(lake["created_at"], created);
    assert_ne!(lake["updated_at"], created);
    assert_eq!(lake["read_only"], false, "OR REPLACE replaces every option");
    let again = env.sql("CREATE OR REPLACE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/other' EXTERNAL_ID = 'zz'");
    assert_eq!(
        again,
        "unchanged: connection lake (the options are the same)\n"
    );
}
}

on_both_engines! {
fn alter_set_replaces_one_option_and_switches_method(env) {
    env.sql(LAKE);
    assert_eq!(env.sql("ALTER S3 CONNECTION lake SET COMMENT = 'curated' SET PATH_DISPLAY_FILTERS = ('s3://bkt/a/')"), "altered connection lake\n");
    let lake = row(&env.connections(), "lake").clone();
    assert_eq!(lake["comment"], "curated");
    assert_eq!(
        lake["path_display_filters"],
        serde_json::json!(["s3://bkt/a/"])
    );
    assert_eq!(lake["external_id"], "a1b2c3d4", "untouched options stay");
    env.sql("ALTER S3 CONNECTION lake SET AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' SET AWS_SECRET_ACCESS_KEY = 'abcdefgh'");
    let lake = row(&env.connections(), "lake").clone();
    assert_eq!(lake["authentication"], "keys");
    assert_eq!(
        lake["aws_role"],
        serde_json::Value::Null,
        "setting keys clears the role"
    );
    assert_eq!(lake["external_id"], serde_json::Value::Null);
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER S3 CONNECTION lake SET EXTERNAL_ID = 'xy'",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[missing-option]"), "{err}");
    assert_eq!(
        env.sql("ALTER S3 CONNECTION lake SET COMMENT = 'curated'"),
        "unchanged: connection lake (no option changed)\n"
    );
}
}

on_both_engines! {
fn alter_of_a_missing_connection_suggests_a_name(env) {
    env.sql(LAKE);
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER S3 CONNECTION laek SET COMMENT = 'x'",
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("error[connection-not-found]: connection laek does not exist"),
        "{err}"
    );
    assert!(err.contains("did you mean lake?"), "{err}");
}
}

on_both_engines! {
fn rename_keeps_identity_and_refuses_taken_names(env) {
    env.sql(LAKE);
    env.sql("CREATE S3 CONNECTION other");
    let id = describe(&env, "lake", "id");
    assert_eq!(
        env.sql("ALTER CONNECTION lake RENAME TO \"Lake Zone\""),
        "renamed to connection \"Lake Zone\" (renamed from lake)\n"
    );
    assert_eq!(describe(&env, "\"Lake Zone\"", "id"), id);
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER CONNECTION other RENAME TO \"Lake Zone\"",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[connection-exists]"), "{err}");
}
}

on_both_engines! {
fn drop_if_exists_on_missing_is_skipped_and_drop_of_missing_fails(env) {
    env.sql(LAKE);
    assert_eq!(env.sql("DROP CONNECTION lake"), "dropped connection lake\n");
    assert_eq!(
        env.sql("DROP S3 CONNECTION IF EXISTS lake"),
        "skipped: connection lake (it does not exist)\n"
    );
    env.run(&["--no-validate", "-c", "DROP CONNECTION lake"])
        .fails(1);
    assert!(env.connections().is_empty());
}
}

on_both_engines! {
fn names_fold_unless_quoted(env) {
    env.sql("CREATE S3 CONNECTION MyConn; CREATE S3 CONNECTION \"MyConn\"");
    let names: Vec<String> = env
        .connections()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["MyConn", "myconn"]);
    env.sql("DROP CONNECTION MYCONN");
    assert_eq!(env.connections().len(), 1);
}
}

on_both_engines! {
fn role_without_external_id_gets_the_catalogs(env) {
    env.sql("CREATE S3 CONNECTION r AWS_ROLE = 'arn:aws:iam::123456789012:role/r'");
    let id = row(&env.connections(), "r")["external_id"]
        .as_str()
        .expect("external id")
        .to_string();
    assert!(id.starts_with("connsql-") && id.len() == 40, "{id}");
    let run = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        "SHOW TRUST POLICY",
    ]);
    let policy = &run.json_lines()[0][0];
    assert_eq!(policy["external_id"], id.as_str());
    assert_eq!(
        policy["policy"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        id.as_str()
    );
    assert!(
        run.stderr.contains("warning[aws-no-credentials]"),
        "the offline principal is flagged: {}",
        run.stderr
    );
}
}

on_both_engines! {
fn show_like_filters_names(env) {
    env.sql(
        "CREATE S3 CONNECTION lake_raw; CREATE S3 CONNECTION lake_gold; CREATE S3 CONNECTION other",
    );
    let run = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        "SHOW CONNECTIONS LIKE 'lake\\_%'",
    ]);
    let rows = run.json_lines().remove(0);
    let names: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["lake_gold", "lake_raw"]);
}
}

on_both_engines! {
fn show_create_is_rerunnable(env) {
    env.sql("CREATE S3 CONNECTION \"it's\" AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab' \
             PATH_DISPLAY_FILTER = 's3://bkt/x/' READ_ONLY = TRUE \
             ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/k1' COMMENT = 'a ''quoted'' comment'");
    let text = env.sql("SHOW CREATE CONNECTION \"it's\"");
    let other = Env::new();
    other.sql(&text);
    let mut a = env.connections()[0].clone();
    let mut b = other.connections()[0].clone();
    for key in ["created_at", "updated_at"] {
        a[key] = serde_json::Value::Null;
        b[key] = serde_json::Value::Null;
    }
    assert_eq!(a, b, "{text}");
}
}

on_both_engines! {
fn s3_policy_is_scoped_and_valid_json(env) {
    env.sql(
        "CREATE S3 CONNECTION w PATH_DISPLAY_FILTERS = ('s3://bucket1/', 's3://bucket2/folder/')",
    );
    let out = env.sql("SHOW S3 POLICY FOR CONNECTION w");
    let policy: serde_json::Value = serde_json::from_str(&out).expect("policy JSON");
    let text = policy.to_string();
    for action in [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
    ] {
        assert!(text.contains(action), "{action} missing: {text}");
    }
    assert!(text.contains("arn:aws:s3:::bucket2/folder/*"), "{text}");
    env.sql("ALTER S3 CONNECTION w SET READ_ONLY = TRUE");
    let read_only = env.sql("SHOW S3 POLICY FOR CONNECTION w");
    assert!(
        !read_only.contains("s3:PutObject") && !read_only.contains("s3:DeleteObject"),
        "{read_only}"
    );
}
}

on_both_engines! {
fn history_records_every_change_redacted(env) {
    env.sql("CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'TOPSECRETVALUE'");
    env.sql("ALTER CONNECTION k RENAME TO k2; DROP CONNECTION k2");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let history = catalog.history().expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["create", "rename", "drop"]);
    assert!(history.iter().all(|h| h.os_user == "tester"));
    assert!(
        history[0]
            .statement
            .contains("AWS_SECRET_ACCESS_KEY = '********'"),
        "{}",
        history[0].statement
    );
    assert!(
        !history
            .iter()
            .any(|h| h.statement.contains("TOPSECRETVALUE"))
    );
}
}

on_both_engines! {
/// Statements of other dialects are still named, not run (`CREATE TABLE` here; jobs are
/// statements of connsql's own now, tested in `jobs.rs`).
fn statements_of_other_dialects_are_named_not_run(env) {
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "CREATE TABLE default_glue_catalog.db.orders (id bigint)",
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("error[unsupported-statement]: `CREATE TABLE` is not a connection statement"),
        "{err}"
    );
}
}

on_both_engines! {
fn trust_policy_of_a_key_connection_is_refused(env) {
    env.sql("CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'abcdefgh'");
    let err = env
        .run(&["--no-validate", "-c", "SHOW TRUST POLICY FOR CONNECTION k"])
        .fails(1)
        .to_string();
    assert!(
        err.contains(
            "error[missing-option]: connection k does not assume a role (keys credentials)"
        ),
        "{err}"
    );
}
}

on_both_engines! {
fn switching_to_keys_needs_both_key_options(env) {
    env.sql(LAKE);
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER S3 CONNECTION lake SET AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("error[missing-option]: AWS_ACCESS_KEY_ID needs AWS_SECRET_ACCESS_KEY"),
        "{err}"
    );
    assert_eq!(
        row(&env.connections(), "lake")["authentication"],
        "role",
        "nothing changed"
    );
}
}
