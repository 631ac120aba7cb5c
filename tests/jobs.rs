//! Jobs reference connections (SPEC §6): Upsolver's own job scripts, the rules that keep the
//! references sound (unknown connection, read-only, RESTRICT/CASCADE, rename), every output
//! format, the migration from the release before jobs, and validation.

use serde_json::Value;

use crate::util::{CI_KEY, CI_SECRET, Emulator, Env};

/// The connections Upsolver's examples use.
const SETUP: &str = "CREATE S3 CONNECTION logs_bucket_conn; CREATE S3 CONNECTION my_s3_connection; \
                     CREATE S3 CONNECTION upsolver_s3 READ_ONLY = TRUE;";

const V17: &str = "create job royon_staging_s3_access COMPUTE_CLUSTER = \"Default Compute\" as copy from s3 logs_bucket_conn bucket = 'dbxflowlogs3logging' prefix = '/' into default_glue_catalog.royon.s3access_staging_tbl ;";
const V18: &str = "CREATE JOB load_orders CONTENT_TYPE = JSON AS COPY FROM S3 upsolver_s3 BUCKET = 'upsolver-samples' PREFIX = 'orders/' INTO default_glue_catalog.upsolver_samples.orders_raw_data;";
const V20: &str = "CREATE SYNC JOB j AS COPY FROM S3 my_s3_connection LOCATION = 's3://b/p/' INTO default_glue_catalog.db.t;";
const V21: &str = "CREATE SYNC JOB export_j AS INSERT INTO S3 my_s3_connection LOCATION = 's3://b/out/' MAP_COLUMNS_BY_NAME SELECT * FROM default_glue_catalog.db.t WHERE $event_time BETWEEN run_start_time() AND run_end_time();";

fn with_jobs(env: Env) -> Env {
    env.sql(&format!("{SETUP} {V17} {V18} {V20} {V21}"));
    env
}

fn json(env: &Env, sql: &str) -> Value {
    let run = env.run(&["--no-validate", "--format", "json", "-c", sql]);
    run.ok();
    run.json_lines().pop().expect("one line")
}

fn job_names(env: &Env) -> Vec<String> {
    json(env, "SHOW JOBS")
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

on_both_engines! {
fn upsolvers_job_scripts_run(env) {
    let env = with_jobs(env);
    let rows = json(&env, "SHOW JOBS");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, connsql::output::SHOW_JOB_COLUMNS);
    let by_name = |n: &str| rows.iter().find(|r| r["name"] == n).expect(n);
    let v17 = by_name("royon_staging_s3_access");
    assert_eq!(v17["kind"], "copy");
    assert_eq!(v17["sync"], false);
    assert_eq!(v17["connection"], "logs_bucket_conn");
    assert_eq!(v17["location"], "s3://dbxflowlogs3logging/");
    assert_eq!(
        v17["target"],
        "default_glue_catalog.royon.s3access_staging_tbl"
    );
    assert_eq!(v17["options"]["COMPUTE_CLUSTER"], "Default Compute");
    let v21 = by_name("export_j");
    assert_eq!(v21["kind"], "insert");
    assert_eq!(v21["sync"], true);
    assert_eq!(v21["target"], Value::Null);
    assert_eq!(
        v21["source_tables"],
        serde_json::json!(["default_glue_catalog.db.t"])
    );
    // SHOW CREATE JOB prints a statement that recreates the job as it is.
    let shown = env.sql("SHOW CREATE JOB export_j");
    assert!(shown.contains("MAP_COLUMNS_BY_NAME"), "{shown}");
    let again = shown.replace("CREATE SYNC JOB", "CREATE OR REPLACE SYNC JOB");
    let run = env.run(&["--no-validate", "--format", "json", "-c", &again]);
    run.ok();
    assert_eq!(run.json_lines()[0]["status"], "unchanged");
    let describe = env.sql("DESCRIBE JOB load_orders");
    assert!(
        describe.contains("CONTENT_TYPE") && describe.contains("JSON"),
        "{describe}"
    );
}
}

on_both_engines! {
fn a_job_on_an_unknown_connection_is_refused_with_a_suggestion(env) {
    env.sql("CREATE S3 CONNECTION my_s3_connection");
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "CREATE JOB j AS COPY FROM S3 my_s3_conection LOCATION = 's3://bkt/' INTO default_glue_catalog.db.t",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[connection-not-found]"), "{err}");
    assert!(err.contains("did you mean my_s3_connection?"), "{err}");
}
}

on_both_engines! {
fn read_only_is_enforced_both_ways(env) {
    let env = with_jobs(env);
    // A job that writes cannot use a read-only connection.
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "CREATE JOB w AS INSERT INTO S3 upsolver_s3 LOCATION = 's3://bkt/out/' SELECT 1",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[read-only-connection]"), "{err}");
    assert!(err.contains("SET READ_ONLY = FALSE"), "{err}");
    // Nor one that deletes what it reads.
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "CREATE JOB d DELETE_FILES_AFTER_LOAD = TRUE AS COPY FROM S3 upsolver_s3 LOCATION = 's3://bkt/' INTO db.t",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[read-only-connection]"), "{err}");
    // A connection that jobs write to cannot be made read-only, by ALTER or OR REPLACE.
    for sql in [
        "ALTER S3 CONNECTION my_s3_connection SET READ_ONLY = TRUE",
        "CREATE OR REPLACE S3 CONNECTION my_s3_connection READ_ONLY = TRUE",
    ] {
        let err = env.run(&["--no-validate", "-c", sql]).fails(1).to_string();
        assert!(err.contains("error[connection-in-use]"), "{sql}: {err}");
        assert!(err.contains("export_j"), "names the job: {err}");
    }
    // A connection only read from can.
    env.sql("ALTER S3 CONNECTION logs_bucket_conn SET READ_ONLY = TRUE");
}
}

on_both_engines! {
fn drop_of_a_used_connection_is_refused_and_cascade_drops_its_jobs(env) {
    let env = with_jobs(env);
    for sql in [
        "DROP CONNECTION my_s3_connection",
        "DROP CONNECTION IF EXISTS my_s3_connection",
        "DROP CONNECTION my_s3_connection RESTRICT",
    ] {
        let err = env.run(&["--no-validate", "-c", sql]).fails(1).to_string();
        assert!(err.contains("error[connection-in-use]"), "{err}");
        assert!(err.contains("2 jobs: export_j, j"), "{err}");
        assert!(err.contains("CASCADE"), "the way out: {err}");
    }
    // Many jobs: the first few are named, the rest counted.
    let many: String = (0..12)
        .map(|i| format!("CREATE JOB m{i:02} AS COPY FROM S3 logs_bucket_conn LOCATION = 's3://bkt/{i}/' INTO db.t{i};"))
        .collect();
    env.sql(&many);
    let err = env
        .run(&["--no-validate", "-c", "DROP CONNECTION logs_bucket_conn"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("13 jobs: m00, m01, m02, m03, m04 and 8 more"),
        "{err}"
    );
    // Past a thousand the count stops: the refusal says "more than".
    let more: String = (0..1000)
        .map(|i| format!("CREATE JOB n{i:04} AS COPY FROM S3 logs_bucket_conn LOCATION = 's3://bkt/n{i}/' INTO db.n{i};"))
        .collect();
    env.sql(&more);
    let err = env
        .run(&["--no-validate", "-c", "DROP CONNECTION logs_bucket_conn"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("more than 1000 jobs: m00, m01, m02, m03, m04 and more than 995 more"),
        "{err}"
    );
    // A dry run of CASCADE says what would go, and nothing goes.
    let dry = env.run(&[
        "--no-validate",
        "--dry-run",
        "-c",
        "DROP CONNECTION my_s3_connection CASCADE",
    ]);
    assert!(
        dry.ok()
            .contains("would drop connection my_s3_connection and its jobs export_j, j"),
        "{}",
        dry.stdout
    );
    assert_eq!(job_names(&env).len(), 1016);
    // CASCADE: one JSON line, the jobs it dropped on it.
    let cascade = json(&env, "DROP CONNECTION my_s3_connection CASCADE");
    assert_eq!(cascade["status"], "dropped");
    assert_eq!(cascade["connection"], "my_s3_connection");
    assert_eq!(
        cascade["dropped_jobs"],
        serde_json::json!(["export_j", "j"])
    );
    assert!(!job_names(&env).iter().any(|n| n == "j" || n == "export_j"));
    // Each job change is in the history.
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let history = catalog.history().expect("history");
    let drops: Vec<&str> = history
        .iter()
        .filter(|h| h.object == "job" && h.action == "drop")
        .map(|h| h.connection_name.as_str())
        .collect();
    assert_eq!(drops, ["export_j", "j"]);
    assert!(
        history
            .iter()
            .any(|h| h.object == "job" && h.action == "create")
    );
}
}

on_both_engines! {
fn rename_and_replace_keep_every_reference(env) {
    let env = with_jobs(env);
    env.sql("ALTER CONNECTION my_s3_connection RENAME TO lake; CREATE OR REPLACE S3 CONNECTION lake COMMENT = 'replaced'");
    let rows = json(&env, "SHOW JOBS FOR CONNECTION lake");
    let names: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["export_j", "j"]);
    let shown = env.sql("SHOW CREATE JOB j");
    assert!(
        shown.contains("AS COPY FROM S3 lake"),
        "prints the current name: {shown}"
    );
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "SHOW JOBS FOR CONNECTION my_s3_connection",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[connection-not-found]"), "{err}");
}
}

on_both_engines! {
fn jobs_have_if_not_exists_or_replace_and_alter(env) {
    let env = with_jobs(env);
    let out = |sql: &str| {
        json(&env, sql)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        out(
            "CREATE JOB IF NOT EXISTS j AS COPY FROM S3 my_s3_connection LOCATION = 's3://bkt/x/' INTO db.x"
        ),
        "skipped"
    );
    let err = env.run(&["--no-validate", "-c", V20]).fails(1).to_string();
    assert!(err.contains("error[job-exists]"), "{err}");
    assert_eq!(
        out(
            "CREATE OR REPLACE SYNC JOB j AS COPY FROM S3 my_s3_connection LOCATION = 's3://bkt/x/' INTO db.x"
        ),
        "replaced"
    );
    assert_eq!(
        out("ALTER JOB j SET COMMENT = 'x' SET END_AT = NOW"),
        "altered"
    );
    assert_eq!(out("ALTER JOB j SET COMMENT = 'x'"), "unchanged");
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER JOB j SET DATE_PATTERN = 'yyyy'",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[not-editable]"), "{err}");
    assert!(
        err.contains("may change CONTENT_TYPE, END_AT"),
        "names the editable ones: {err}"
    );
    let err = env
        .run(&[
            "--no-validate",
            "-c",
            "ALTER JOB export_j SET CONTENT_TYPE = CSV",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[not-for-this-job]"), "{err}");
    let err = env
        .run(&["--no-validate", "-c", "ALTER JOB jj SET COMMENT = 'x'"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("error[job-not-found]") && err.contains("did you mean j?"),
        "{err}"
    );
    assert_eq!(out("DROP JOB j"), "dropped");
    assert_eq!(out("DROP JOB IF EXISTS j"), "skipped");
}
}

on_both_engines! {
fn one_transaction_rolls_back_a_connection_and_its_job(env) {
    env.sql("CREATE S3 CONNECTION keep");
    let run = env.run(&[
        "--no-validate",
        "--single-transaction",
        "-c",
        "CREATE S3 CONNECTION c; CREATE JOB j AS COPY FROM S3 c LOCATION = 's3://bkt/' INTO db.t; \
         CREATE JOB broken CONTENT_TYPE = NOPE AS COPY FROM S3 c LOCATION = 's3://bkt/' INTO db.t",
    ]);
    run.fails(1);
    assert_eq!(run.stdout, "");
    assert_eq!(env.stored_names(), ["keep"]);
    assert!(job_names(&env).is_empty());
}
}

#[test]
fn a_catalog_of_the_release_before_jobs_migrates_and_gains_jobs() {
    let env = Env::new();
    {
        let db = rusqlite::Connection::open(&env.catalog).expect("sqlite");
        db.execute_batch(include_str!("fixtures/catalog_v2.sql"))
            .expect("v2 fixture");
    }
    assert_eq!(env.stored_names(), ["legacy_keys", "legacy_role"]);
    let rows = env.connections();
    assert_eq!(rows.len(), 2);
    env.sql("CREATE JOB from_legacy AS COPY FROM S3 legacy_role LOCATION = 's3://bkt/' INTO db.t");
    assert_eq!(job_names(&env), ["from_legacy"]);
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let history = catalog.history().expect("history");
    assert_eq!(history.len(), 4, "the old entries kept, the new one added");
    assert!(history[..3].iter().all(|h| h.object == "connection"));
    let version: i64 = rusqlite::Connection::open(&env.catalog)
        .expect("sqlite")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, connsql::catalog::CURRENT_VERSION);
}

#[test]
fn job_output_never_shows_the_connections_secret() {
    const SECRET: &str = "jobSecretValue0123456789abcdefXYZ";
    let env = Env::new();
    env.sql(&format!(
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '{SECRET}'; \
         CREATE JOB j COMMENT = 'uses k' AS COPY FROM S3 k LOCATION = 's3://bkt/' INTO db.t"
    ));
    for format in ["table", "json", "csv"] {
        for sql in [
            "SHOW JOBS",
            "DESCRIBE JOB j",
            "SHOW CREATE JOB j",
            "DROP CONNECTION k CASCADE",
        ] {
            let run = env.run(&["--no-validate", "--dry-run", "--format", format, "-c", sql]);
            assert!(
                !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
                "{sql}"
            );
        }
    }
}

on_both_engines! {
fn the_library_resolves_a_job_with_its_connection(env) {
    let env = with_jobs(env);
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let (job, connection) = catalog
        .lookup_job("EXPORT_J")
        .expect("look-up")
        .expect("found");
    assert_eq!(job.name, "export_j");
    assert_eq!(connection.name, "my_s3_connection");
    assert_eq!(job.spec.location(), "s3://b/out/");
}
}

/// Creating a job proves its connection, once per run for the same credentials.
#[test]
fn a_job_proves_its_connection() {
    let emulator = Emulator::standard(&[]);
    let mut env = Env::new();
    env.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let role = "AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' EXTERNAL_ID = 'a1b2c3d4'";
    let before = emulator.stats()["requests"].as_u64().unwrap_or(0);
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        &format!(
            "CREATE S3 CONNECTION lake {role}; \
             CREATE JOB a AS COPY FROM S3 lake LOCATION = 's3://bkt/a/' INTO db.a; \
             CREATE JOB b AS COPY FROM S3 lake LOCATION = 's3://bkt/b/' INTO db.b"
        ),
    ]);
    run.ok();
    let lines = run.json_lines();
    assert!(lines[1]["assumed_role_arn"].is_string(), "{lines:?}");
    assert_eq!(
        lines[1]["proof_shared_with"],
        Value::Null,
        "same connection, same proof"
    );
    let calls = emulator.stats()["requests"].as_u64().unwrap_or(0) - before;
    assert_eq!(
        calls, 4,
        "caller identity, AssumeRole with and without the ID, the buckets listed: once for the run"
    );
    let rows = json(&env, "SHOW JOBS");
    assert!(rows[0]["validated_at"].is_string(), "{rows}");
    let offline = env.run(&[
        "--no-validate",
        "--format",
        "json",
        "-c",
        "CREATE JOB c AS COPY FROM S3 lake LOCATION = 's3://bkt/c/' INTO db.c",
    ]);
    assert!(offline.json_lines()[0].get("assumed_role_arn").is_none());
}
