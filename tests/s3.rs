//! S3 access validated with the connection's own credentials (SPEC §7), against the emulator's
//! S3: display filters listed, the buckets listed, every diagnosis (access denied with the
//! statement to add, a missing bucket, a bucket in another region, a KMS key the role may not
//! use), `VALIDATE … ON … FOR` rows and `VALIDATE JOB`.

use serde_json::{Value, json};

use crate::util::{CI_ARN, CI_KEY, CI_SECRET, Emulator, Env};

const KMS_KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Roles of the seed's setup: one that reads the raw zone and writes the out zone, one that
/// may do nothing in S3, one that may list but not list the buckets.
fn world() -> Value {
    let trust = json!([{ "principal": CI_ARN, "external_id": "a1b2c3d4" }]);
    json!({
        "users": [{ "access_key_id": CI_KEY, "secret_access_key": CI_SECRET, "arn": CI_ARN }],
        "roles": [
            { "arn": "arn:aws:iam::123456789012:role/lake", "trust": trust,
              "permissions": { "Statement": [
                  { "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], "Resource": "*" },
                  { "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::lake-raw/out/*" }
              ] } },
            { "arn": "arn:aws:iam::123456789012:role/nothing", "trust": trust },
            { "arn": "arn:aws:iam::123456789012:role/scoped", "trust": trust,
              "permissions": { "Statement": [
                  { "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::lake-raw",
                    "Condition": { "StringLike": { "s3:prefix": ["raw/*"] } } }
              ] } }
        ],
        "buckets": [
            { "name": "lake-raw", "objects": ["raw/2024/01/orders.json", "out/old.parquet"] },
            { "name": "eu-lake", "region": "eu-west-1", "objects": ["raw/a.json"] },
            { "name": "sealed", "kms_key": KMS_KEY, "objects": ["raw/a.json"] }
        ]
    })
}

fn env(emulator: &Emulator) -> Env {
    let mut env = Env::new();
    env.use_emulator(emulator, CI_KEY, CI_SECRET);
    env
}

fn role(name: &str) -> String {
    format!("AWS_ROLE = 'arn:aws:iam::123456789012:role/{name}' EXTERNAL_ID = 'a1b2c3d4'")
}

#[test]
fn display_filters_are_listed_and_a_refusal_fails_with_the_statement_to_add() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    env.run(&["-c", &format!("CREATE S3 CONNECTION ok {} PATH_DISPLAY_FILTERS = ('s3://lake-raw/raw/', 's3://eu-lake/raw/')", role("lake"))])
        .ok();
    let err = env
        .run(&[
            "-c",
            &format!(
                "CREATE S3 CONNECTION no {} PATH_DISPLAY_FILTER = 's3://lake-raw/raw/'",
                role("nothing")
            ),
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[aws-access-denied]"), "{err}");
    assert!(err.contains("AWS refused to let arn:aws:sts::123456789012:assumed-role/nothing/connsql-no list s3://lake-raw/raw/"), "{err}");
    assert!(
        err.contains("PATH_DISPLAY_FILTER = 's3://lake-raw/raw/'\n  |     ^")
            || err.contains("^^^^"),
        "a caret: {err}"
    );
    assert!(
        err.contains(r#""s3:ListBucket""#) && err.contains(r#""arn:aws:s3:::lake-raw""#),
        "{err}"
    );
    assert!(err.contains(r#""raw/*""#), "the prefix condition: {err}");
    assert_eq!(
        env.connections().len(),
        1,
        "the refused connection is not stored"
    );
    // A prefix the role may not list.
    let err = env
        .run(&[
            "-c",
            &format!(
                "CREATE S3 CONNECTION sc {} PATH_DISPLAY_FILTER = 's3://lake-raw/out/'",
                role("scoped")
            ),
        ])
        .fails(1)
        .to_string();
    assert!(err.contains(r#""out/*""#), "{err}");
}

#[test]
fn without_filters_the_buckets_are_listed_and_a_refusal_only_warns() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    let run = env.run(&["-c", &format!("CREATE S3 CONNECTION a {}", role("lake"))]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        &format!("CREATE S3 CONNECTION b {}", role("scoped")),
    ]);
    let line = &run.json_lines()[0];
    assert_eq!(line["status"], "created");
    assert!(
        run.stderr.contains("warning[aws-access-denied]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("s3:ListAllMyBuckets"), "{}", run.stderr);
}

/// Listing the buckets concerns no bucket: when S3 does not answer, the error says what was
/// being done, not the name of a bucket that is not there.
#[test]
fn an_s3_that_does_not_answer_the_listing_is_named_as_such() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = env(&emulator);
    // A loopback port nothing listens on: the connection is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    env.set("AWS_ENDPOINT_URL_S3", &format!("http://{closed}"));
    let err = env
        .run(&[
            "--timeout",
            "5",
            "-c",
            &format!("CREATE S3 CONNECTION a {}", role("lake")),
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[aws-unreachable]"), "{err}");
    assert!(
        err.contains("S3 did not answer listing the buckets"),
        "{err}"
    );
    assert!(!err.contains("all-buckets"), "{err}");
    assert!(err.contains("AWS_ENDPOINT_URL_S3"), "{err}");
}

#[test]
fn a_missing_bucket_and_a_kms_key_are_named() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    let err = env
        .run(&[
            "-c",
            &format!(
                "CREATE S3 CONNECTION x {} PATH_DISPLAY_FILTER = 's3://no-such-bucket/raw/'",
                role("lake")
            ),
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("bucket no-such-bucket does not exist"),
        "{err}"
    );
    assert!(err.contains("NoSuchBucket"), "{err}");
    env.run(&["-c", &format!("CREATE S3 CONNECTION lake {}", role("lake"))])
        .ok();
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        "VALIDATE CONNECTION lake ON 's3://sealed/raw/' FOR READ",
    ]);
    let rows = &run.json_lines()[0];
    assert_eq!(rows[0]["status"], "denied", "{rows}");
    assert!(
        run.stderr.contains("may not use the KMS key"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("kms:Decrypt") && run.stderr.contains(KMS_KEY),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bucket_in_another_region_is_followed_there() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    env.run(&["-c", &format!("CREATE S3 CONNECTION lake {}", role("lake"))])
        .ok();
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        "VALIDATE CONNECTION lake ON 's3://eu-lake/raw/' FOR READ",
    ]);
    let rows = &run.json_lines()[0];
    assert_eq!(rows[0]["status"], "ok", "{rows}");
    assert!(
        rows[0]["detail"]
            .as_str()
            .unwrap()
            .contains("the bucket is in eu-west-1"),
        "{rows}"
    );
}

#[test]
fn validate_on_for_gives_one_row_per_action() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    env.run(&["-c", &format!("CREATE S3 CONNECTION lake {}", role("lake"))])
        .ok();
    let rows_of = |sql: &str| -> (Vec<(String, String)>, String) {
        let run = env.run(&["--format", "json", "-c", sql]);
        let rows = run.json_lines()[0]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["action"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (rows, run.stderr.clone())
    };
    let (rows, stderr) = rows_of("VALIDATE CONNECTION lake ON 's3://lake-raw/raw/' FOR ALL");
    let pairs: Vec<(&str, &str)> = rows.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("LIST", "ok"),
            ("READ", "ok"),
            ("WRITE", "denied"),
            ("DELETE", "denied")
        ]
    );
    assert!(
        stderr.contains(r#""s3:PutObject""#) && stderr.contains("arn:aws:s3:::lake-raw/raw/*"),
        "{stderr}"
    );
    let (rows, stderr) = rows_of("VALIDATE CONNECTION lake ON 's3://lake-raw/out/new/' FOR WRITE");
    assert_eq!(rows, [("WRITE".to_string(), "ok".to_string())], "{stderr}");
    // The marker was deleted: nothing is left under the fresh prefix.
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        "VALIDATE CONNECTION lake ON 's3://lake-raw/out/new/' FOR LIST",
    ]);
    assert!(
        run.json_lines()[0][0]["detail"]
            .as_str()
            .unwrap()
            .contains("no objects yet"),
        "{}",
        run.stdout
    );
    // A read-only connection is not written to unless asked.
    env.run(&[
        "--no-validate",
        "-c",
        "ALTER S3 CONNECTION lake SET READ_ONLY = TRUE",
    ])
    .ok();
    let (rows, _) = rows_of("VALIDATE CONNECTION lake ON 's3://lake-raw/raw/'");
    assert_eq!(
        rows.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["LIST", "READ"]
    );
    // Asked for everything, it says the writes were not checked, and why: no advice to let the
    // role write through a connection jobs may not write through.
    let (rows, stderr) = rows_of("VALIDATE CONNECTION lake ON 's3://lake-raw/raw/' FOR ALL");
    let pairs: Vec<(&str, &str)> = rows.iter().map(|(a, s)| (a.as_str(), s.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("LIST", "ok"),
            ("READ", "ok"),
            ("WRITE", "skipped"),
            ("DELETE", "skipped")
        ]
    );
    assert!(!stderr.contains("s3:PutObject"), "{stderr}");
    let run = env.run(&[
        "-c",
        "VALIDATE CONNECTION lake ON 's3://lake-raw/raw/' FOR WRITE",
    ]);
    assert!(
        run.ok().contains("connection lake is READ_ONLY"),
        "{}",
        run.stdout
    );
    // Table and CSV carry the same columns.
    let csv = env.run(&[
        "--format",
        "csv",
        "-c",
        "VALIDATE CONNECTION lake ON 's3://lake-raw/raw/' FOR LIST",
    ]);
    assert!(
        csv.ok().starts_with("action,location,status,detail\n"),
        "{}",
        csv.stdout
    );
}

#[test]
fn validate_job_checks_the_location_for_what_the_job_does() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    env.run(&[
        "-c",
        &format!(
            "CREATE S3 CONNECTION lake {}; \
             CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.orders; \
             CREATE JOB export AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/' SELECT * FROM db.orders; \
             CREATE JOB stray AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/elsewhere/' SELECT * FROM db.orders",
            role("lake")
        ),
    ])
    .ok();
    let actions = |job: &str| -> Vec<(String, String)> {
        let run = env.run(&["--format", "json", "-c", &format!("VALIDATE JOB {job}")]);
        run.json_lines()[0]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["action"].as_str().unwrap().into(),
                    r["status"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(actions("load"), [s("LIST", "ok"), s("READ", "ok")]);
    assert_eq!(actions("export"), [s("LIST", "ok"), s("WRITE", "ok")]);
    assert_eq!(actions("stray"), [s("LIST", "ok"), s("WRITE", "denied")]);
    let jobs = env
        .run(&["--format", "json", "-c", "SHOW JOBS"])
        .json_lines()[0]
        .clone();
    let validated = |name: &str| {
        jobs.as_array()
            .unwrap()
            .iter()
            .find(|j| j["name"] == name)
            .map(|j| j["validated_at"].clone())
            .unwrap()
    };
    assert!(validated("export").is_string());
    // A job whose location failed keeps the validation of its creation, not a newer one.
    assert!(validated("stray").as_str() < validated("export").as_str());
}

#[test]
fn no_secret_reaches_any_s3_output() {
    let emulator = Emulator::start(&world(), &[]);
    let env = env(&emulator);
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let run = env.run(&[
        "--continue-on-error",
        "-c",
        &format!(
            "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '{secret}' \
             PATH_DISPLAY_FILTER = 's3://lake-raw/raw/'; \
             VALIDATE CONNECTION k ON 's3://lake-raw/raw/' FOR ALL"
        ),
    ]);
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    assert!(!run.stdout.contains(CI_SECRET) && !run.stderr.contains(CI_SECRET));
}
