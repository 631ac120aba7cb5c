//! Validation against the local STS emulator: what is proven, what is refused and how it is
//! explained, bounded time, and batches validated ahead and concurrently.

use std::time::{Duration, Instant};

use crate::util::{CI_ARN, CI_KEY, CI_SECRET, Emulator, Env, role_creates};

const LAKE: &str = "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' EXTERNAL_ID = 'a1b2c3d4'";

fn env_for(emulator: &Emulator) -> Env {
    let mut env = Env::new();
    env.use_emulator(emulator, CI_KEY, CI_SECRET);
    env
}

#[test]
fn a_trusted_role_is_validated_and_recorded() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let run = env.run(&["--format", "json", "-c", LAKE]);
    run.ok();
    let line = &run.json_lines()[0];
    assert_eq!(line["status"], "created");
    assert_eq!(line["caller_arn"], CI_ARN);
    assert_eq!(
        line["assumed_role_arn"],
        "arn:aws:sts::123456789012:assumed-role/lake-reader/connsql-lake"
    );
    assert_eq!(line["warnings"], serde_json::json!([]));
    let rows = env.connections();
    assert!(rows[0]["validated_at"].is_string(), "{rows:?}");
    // Both calls were made: with the external ID, and the refused one without it, plus the
    // caller's identity once, and the buckets listed with the role's credentials.
    let stats = emulator.stats();
    assert_eq!(stats["requests"], 4, "{stats}");
    assert_eq!(stats["actions"]["s3:GET"], 1, "{stats}");
}

#[test]
fn a_wrong_external_id_is_refused_with_the_trust_policy_to_paste() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let run = env.run(&[
        "-c",
        "CREATE S3 CONNECTION lake\n    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader'\n    EXTERNAL_ID = 'wrong-id'",
    ]);
    let err = run.fails(1);
    assert!(err.contains(&format!("error[aws-access-denied]: AWS refused to let {CI_ARN} assume arn:aws:iam::123456789012:role/lake-reader")), "{err}");
    assert!(err.contains("<command 1>:2:5"), "points at AWS_ROLE: {err}");
    assert!(err.contains("AccessDenied, request id"), "{err}");
    assert!(err.contains("\"sts:ExternalId\": \"wrong-id\""), "{err}");
    assert!(err.contains(&format!("\"AWS\": \"{CI_ARN}\"")), "{err}");
    assert!(
        env.connections().is_empty(),
        "a failed validation writes nothing"
    );
}

#[test]
fn a_role_that_does_not_require_the_external_id_warns() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let run = env.run(&["-c", "CREATE S3 CONNECTION loose AWS_ROLE = 'arn:aws:iam::123456789012:role/loose' EXTERNAL_ID = 'some-id'"]);
    run.ok();
    assert!(
        run.stderr.contains("warning[external-id-not-required]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("confused-deputy"), "{}", run.stderr);
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let stored = catalog
        .connection("loose")
        .expect("look-up")
        .expect("stored");
    assert_eq!(stored.validation.expect("validation").warnings.len(), 1);
}

#[test]
fn a_disabled_region_says_where_to_activate_sts() {
    let emulator = Emulator::standard(&[]);
    let mut env = env_for(&emulator);
    env.set("AWS_REGION", "eu-south-2");
    let err = env.run(&["-c", LAKE]).fails(1).to_string();
    assert!(err.contains("error[aws-region-disabled]: STS is not active in region eu-south-2 for account 111111111111"), "{err}");
    assert!(err.contains("Activate eu-south-2"), "{err}");
}

#[test]
fn wrong_base_credentials_are_named() {
    let emulator = Emulator::standard(&[]);
    let mut env = env_for(&emulator);
    env.set("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    let err = env.run(&["-c", LAKE]).fails(1).to_string();
    assert!(err.contains("error[aws-bad-credentials]: the base AWS credentials connsql runs with are wrong or expired"), "{err}");
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
}

#[test]
fn key_connections_are_checked_with_their_own_keys() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let good = env.run(&[
        "--format",
        "json",
        "-c",
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
    ]);
    good.ok();
    assert_eq!(
        good.json_lines()[0]["caller_arn"],
        "arn:aws:iam::123456789012:user/loader"
    );
    let err = env
        .run(&["-c", "CREATE S3 CONNECTION k2 AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'nope'"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("error[aws-bad-credentials]: AWS does not accept the connection's access key"),
        "{err}"
    );
    let default = env.run(&["--format", "json", "-c", "CREATE S3 CONNECTION d"]);
    default.ok();
    assert_eq!(default.json_lines()[0]["caller_arn"], CI_ARN);
}

#[test]
fn alter_validates_only_credential_changes() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    env.run(&["-c", LAKE]).ok();
    let before = emulator.stats()["requests"].as_u64().unwrap_or(0);
    env.run(&[
        "-c",
        "ALTER S3 CONNECTION lake SET COMMENT = 'only a comment'",
    ])
    .ok();
    assert_eq!(
        emulator.stats()["requests"].as_u64(),
        Some(before),
        "a comment needs no AWS call"
    );
    let err = env
        .run(&[
            "-c",
            "ALTER S3 CONNECTION lake SET EXTERNAL_ID = 'other-id'",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("error[aws-access-denied]"), "{err}");
    assert_eq!(
        env.connections()[0]["external_id"],
        "a1b2c3d4",
        "a refused ALTER writes nothing"
    );
    let validate = env.run(&["--format", "json", "-c", "VALIDATE CONNECTION lake"]);
    assert_eq!(validate.json_lines()[0]["status"], "validated");
}

#[test]
fn no_credentials_is_reported_at_once() {
    let mut env = Env::new();
    env.set("AWS_REGION", "us-east-1");
    let started = Instant::now();
    let err = env.run(&["-c", LAKE]).fails(1).to_string();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        err.contains("error[aws-no-credentials]: no AWS credentials were found"),
        "{err}"
    );
    assert!(err.contains("--no-validate"), "{err}");
}

/// Where instance-metadata packets are dropped, the metadata service is probed briefly, not
/// for the SDK's default 1 s per attempt, several times over.
#[test]
fn no_credentials_within_3_s_where_metadata_packets_are_dropped() {
    for region in [Some("us-east-1"), None] {
        let mut env = Env::new();
        env.unset("AWS_EC2_METADATA_DISABLED");
        if let Some(region) = region {
            env.set("AWS_REGION", region);
        }
        let started = Instant::now();
        let out = env
            .command_in_blackhole_netns()
            .args(["-c", LAKE])
            .output()
            .expect("run in a namespace");
        let elapsed = started.elapsed();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("error[aws-no-credentials]") || err.contains("error[aws-no-region]"),
            "{err}"
        );
        assert!(
            elapsed < Duration::from_secs(3),
            "region {region:?}: took {elapsed:?}\n{err}"
        );
    }
}

#[test]
fn no_region_is_reported_before_any_call() {
    let env = Env::new();
    let err = env.run(&["-c", LAKE]).fails(1).to_string();
    assert!(
        err.contains("error[aws-no-region]: no AWS region is set"),
        "{err}"
    );
}

#[test]
fn an_unreachable_endpoint_names_itself() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut env = Env::new();
    env.set("AWS_ENDPOINT_URL_STS", &format!("http://127.0.0.1:{port}"))
        .set("AWS_REGION", "us-east-1")
        .set("AWS_ACCESS_KEY_ID", CI_KEY)
        .set("AWS_SECRET_ACCESS_KEY", CI_SECRET);
    let err = env
        .run(&["--timeout", "1", "-c", LAKE])
        .fails(1)
        .to_string();
    assert!(
        err.contains(&format!(
            "error[aws-unreachable]: cannot reach STS at http://127.0.0.1:{port}"
        )),
        "{err}"
    );
}

#[test]
fn a_hanging_endpoint_times_out() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let started = Instant::now();
    let err = env
        .run(&["--timeout", "0.5", "-c", "CREATE S3 CONNECTION h AWS_ROLE = 'arn:aws:iam::123456789012:role/hangs' EXTERNAL_ID = 'a1b2c3d4'"])
        .fails(1)
        .to_string();
    assert!(err.contains("error[aws-timeout]"), "{err}");
    assert!(err.contains("within 0.5 s"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn throttling_is_retried() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let run = env.run(&["-c", "CREATE S3 CONNECTION f AWS_ROLE = 'arn:aws:iam::123456789012:role/flaky' EXTERNAL_ID = 'a1b2c3d4'"]);
    run.ok();
}

#[test]
fn a_batch_validates_concurrently_and_once_per_role() {
    let emulator = Emulator::standard(&["--latency-ms", "100"]);
    let env = env_for(&emulator);
    let file = env.write("many.sql", &role_creates(40));
    env.run(&["--quiet", "-f", file.to_str().unwrap()]).ok();
    let stats = emulator.stats();
    // One identity call and one role proven twice (with and without the external ID) and its
    // S3 access once, however many connections use it.
    assert_eq!(stats["requests"], 4, "{stats}");
    assert_eq!(env.connections().len(), 40);

    let distinct: String = (0..32)
        .map(|i| format!("CREATE S3 CONNECTION d{i} AWS_ROLE = 'arn:aws:iam::123456789012:role/loose' EXTERNAL_ID = 'id-{i:02}';\n"))
        .collect();
    let file = env.write("distinct.sql", &distinct);
    env.run(&["--quiet", "--parallel", "8", "-f", file.to_str().unwrap()])
        .ok();
    let stats = emulator.stats();
    // Each role: AssumeRole with and without its ID, and the buckets listed.
    assert_eq!(stats["requests"], 4 + 32 * 3 + 1, "{stats}");
    let peak = stats["peak_in_flight"].as_u64().unwrap_or(0);
    assert!(
        (2..=8).contains(&peak),
        "peak in flight {peak} with --parallel 8"
    );
}

#[test]
fn trust_policy_names_the_caller() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    env.run(&["-c", LAKE]).ok();
    let out = env.run(&["-c", "SHOW TRUST POLICY FOR CONNECTION lake"]);
    let policy: serde_json::Value = serde_json::from_str(out.ok()).expect("JSON");
    let statement = &policy["Statement"][0];
    assert_eq!(statement["Principal"]["AWS"], CI_ARN);
    assert_eq!(statement["Action"], "sts:AssumeRole");
    assert_eq!(
        statement["Condition"]["StringEquals"]["sts:ExternalId"],
        "a1b2c3d4"
    );
}
