//! `connsql credentials` and `SHOW AWS PROFILE` (SPEC §7) through the binary, against the
//! emulator: the credential_process JSON, the session policies it asks for, the cache (hits,
//! invalidation, concurrent callers), and failures that are one line and never a secret.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{CI_KEY, CI_SECRET, Emulator, Env, standard_world};

const LAKE: &str = "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' EXTERNAL_ID = 'a1b2c3d4'";
const KEY_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn world() -> Value {
    let mut world = standard_world();
    world["roles"][0]["max_session_seconds"] = serde_json::json!(7200);
    world
}

fn setup(emulator: &Emulator) -> Env {
    let mut env = Env::new();
    env.use_emulator(emulator, CI_KEY, CI_SECRET);
    env.run(&[
        "-c",
        &format!(
            "{LAKE}; CREATE S3 CONNECTION lake_ro AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' \
             EXTERNAL_ID = 'a1b2c3d4' READ_ONLY = TRUE \
             ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'; \
             CREATE S3 CONNECTION keys AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '{KEY_SECRET}'; \
             CREATE S3 CONNECTION mine; \
             CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.orders; \
             CREATE JOB export AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/' SELECT * FROM db.orders"
        ),
    ])
    .ok();
    env
}

fn assumes(emulator: &Emulator) -> u64 {
    emulator.stats()["actions"]["AssumeRole"]
        .as_u64()
        .unwrap_or(0)
}

/// The JSON a credential process must print, and nothing else.
fn process_json(out: &str) -> Value {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {out}");
    serde_json::from_str(lines[0]).expect("credential_process JSON")
}

#[test]
fn a_role_connection_prints_credential_process_json() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let run = env.run(&["credentials", "lake"]);
    assert_eq!(run.stderr, "", "nothing on stderr");
    let creds = process_json(run.ok());
    assert_eq!(creds["Version"], 1);
    for field in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        assert!(
            creds[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}: {creds}"
        );
    }
    let expires = time::OffsetDateTime::parse(
        creds["Expiration"].as_str().expect("Expiration"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(
        (3500..=3600).contains(&left.whole_seconds()),
        "an hour by default: {left}"
    );
    let session = emulator
        .session(creds["AccessKeyId"].as_str().unwrap())
        .expect("issued by the emulator");
    assert_eq!(
        session["arn"],
        "arn:aws:sts::123456789012:assumed-role/lake-reader/connsql-lake"
    );
    assert_eq!(
        session["policy"],
        Value::Null,
        "a writable connection is not narrowed"
    );
    // --duration, up to the role's maximum.
    let long = process_json(
        env.run(&["credentials", "lake", "--duration", "7200", "--no-cache"])
            .ok(),
    );
    let expires = time::OffsetDateTime::parse(
        long["Expiration"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((expires - time::OffsetDateTime::now_utc()).whole_seconds() > 7000);
}

#[test]
fn session_policies_narrow_to_read_only_and_to_the_job() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let policy_of = |args: &[&str]| -> Value {
        let creds = process_json(env.run(args).ok());
        let session = emulator
            .session(creds["AccessKeyId"].as_str().unwrap())
            .expect("issued");
        serde_json::from_str(session["policy"].as_str().expect("a session policy")).expect("JSON")
    };
    let read_only = policy_of(&["credentials", "lake_ro"]);
    let text = read_only.to_string();
    assert!(
        text.contains("s3:GetObject") && text.contains("s3:ListBucket"),
        "{text}"
    );
    assert!(
        !text.contains("s3:PutObject") && !text.contains("s3:DeleteObject"),
        "{text}"
    );
    assert!(
        text.contains("kms:Decrypt") && !text.contains("kms:GenerateDataKey"),
        "{text}"
    );

    let copy = policy_of(&["credentials", "lake", "--job", "load"]).to_string();
    assert!(
        copy.contains(r#""Resource":"arn:aws:s3:::lake-raw/raw/*""#),
        "{copy}"
    );
    assert!(copy.contains(r#""s3:prefix":["raw/*"]"#), "{copy}");
    assert!(!copy.contains("s3:PutObject"), "{copy}");

    let insert = policy_of(&["credentials", "lake", "--job", "export"]).to_string();
    assert!(
        insert.contains("s3:PutObject") && insert.contains("s3:AbortMultipartUpload"),
        "{insert}"
    );
    assert!(
        insert.contains("arn:aws:s3:::lake-raw/out/*") && !insert.contains("s3:GetObject"),
        "{insert}"
    );

    // The session name says which job.
    let creds = process_json(env.run(&["credentials", "lake", "--job", "load"]).ok());
    let session = emulator
        .session(creds["AccessKeyId"].as_str().unwrap())
        .unwrap();
    assert!(
        session["arn"].as_str().unwrap().ends_with("/connsql-load"),
        "{session}"
    );
}

#[test]
fn key_connections_hand_out_temporary_credentials_only() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let out = env.run(&["credentials", "keys"]).ok().to_string();
    let creds = process_json(&out);
    assert!(
        creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{creds}"
    );
    assert!(
        !out.contains(KEY_SECRET) && !out.contains("AKIAIOSFODNN7EXAMPLE"),
        "{out}"
    );
    // Narrowed to a job: a federation token with the job's policy.
    env.run(&[
        "--no-validate",
        "-c",
        "CREATE JOB k_load AS COPY FROM S3 keys LOCATION = 's3://lake-raw/raw/' INTO db.t",
    ])
    .ok();
    let creds = process_json(env.run(&["credentials", "keys", "--job", "k_load"]).ok());
    let session = emulator
        .session(creds["AccessKeyId"].as_str().unwrap())
        .unwrap();
    assert!(
        session["arn"]
            .as_str()
            .unwrap()
            .contains(":federated-user/connsql-k_load"),
        "{session}"
    );
    assert!(
        session["policy"]
            .as_str()
            .unwrap()
            .contains("lake-raw/raw/*")
    );
    let actions = &emulator.stats()["actions"];
    assert_eq!(actions["GetSessionToken"], 1, "{actions}");
    assert_eq!(actions["GetFederationToken"], 1, "{actions}");
}

#[test]
fn the_cache_is_reused_until_the_connection_changes() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let before = assumes(&emulator);
    let first = env.run(&["credentials", "lake"]).ok().to_string();
    let second = env.run(&["credentials", "lake"]).ok().to_string();
    assert_eq!(first, second, "the cached credentials");
    assert_eq!(assumes(&emulator), before + 1, "one AssumeRole for both");
    // Owner-only, file and directory.
    let dir = env.path().join("cache/connsql/credentials");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    // A job has credentials of its own.
    env.run(&["credentials", "lake", "--job", "load"]).ok();
    assert_eq!(assumes(&emulator), before + 2);
    // Changing the connection invalidates its credentials, and replaces the cached file.
    env.run(&[
        "--no-validate",
        "-c",
        "ALTER S3 CONNECTION lake SET COMMENT = 'changed'",
    ])
    .ok();
    let third = env.run(&["credentials", "lake"]).ok().to_string();
    assert_ne!(first, third);
    assert_eq!(assumes(&emulator), before + 3);
    // --no-cache always asks.
    env.run(&["credentials", "lake", "--no-cache"]).ok();
    assert_eq!(assumes(&emulator), before + 4);
}

#[test]
fn concurrent_cold_callers_assume_the_role_once() {
    let emulator = Emulator::start(&world(), &["--latency-ms", "200"]);
    let env = setup(&emulator);
    let before = assumes(&emulator);
    let children: Vec<_> = (0..16)
        .map(|_| {
            env.command()
                .args(["credentials", "lake", "--job", "export"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = crate::util::bounded(c, &[]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("utf-8")
        })
        .collect();
    assert!(
        outputs.iter().all(|o| *o == outputs[0]),
        "all got the same credentials"
    );
    assert_eq!(assumes(&emulator), before + 1, "16 callers, one AssumeRole");
}

#[test]
fn failures_are_one_line_with_the_fix_and_no_secret() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let one_line = |args: &[&str]| -> String {
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
        assert_eq!(run.stdout, "", "nothing on stdout");
        assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
        assert!(!run.stderr.contains(KEY_SECRET) && !run.stderr.contains(CI_SECRET));
        run.stderr.clone()
    };
    let err = one_line(&["credentials", "lak"]);
    assert!(err.contains("did you mean lake?"), "{err}");
    let err = one_line(&["credentials", "mine"]);
    assert!(
        err.contains("no credentials of its own") && err.contains("AWS_ROLE"),
        "{err}"
    );
    let err = one_line(&["credentials", "lake", "--duration", "43200"]);
    assert!(
        err.contains("at most 7200 s") && err.contains("--duration 7200"),
        "{err}"
    );
    let err = one_line(&["credentials", "keys", "--job", "load"]);
    assert!(err.contains("job load uses connection lake"), "{err}");
    // A key the emulator does not know: AWS refuses it, and the message says what to check.
    env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION bad AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000' AWS_SECRET_ACCESS_KEY = 'not-the-secret-123'",
    ])
    .ok();
    let err = one_line(&["credentials", "bad"]);
    assert!(
        err.contains("AWS_ACCESS_KEY_ID") && !err.contains("not-the-secret-123"),
        "{err}"
    );
}

#[test]
fn missing_base_credentials_fail_fast() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = setup(&emulator);
    env.unset("AWS_ACCESS_KEY_ID")
        .unset("AWS_SECRET_ACCESS_KEY");
    let started = Instant::now();
    let run = env.run(&["credentials", "lake", "--no-cache"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no AWS credentials"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_longest_location_fits_the_session_policy_and_one_more_is_refused_clearly() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let bucket = "b".repeat(63);
    // Grow the prefix until the policy no longer fits; the last that fits must be accepted by
    // STS, the first that does not must be refused before any call.
    let mut longest = None;
    for len in (600..1100).step_by(10) {
        let location = format!("s3://{bucket}/{}/", "p".repeat(len));
        env.run(&[
            "--no-validate",
            "-c",
            &format!(
                "CREATE OR REPLACE JOB big DELETE_FILES_AFTER_LOAD = TRUE AS COPY FROM S3 lake LOCATION = '{location}' INTO db.t"
            ),
        ])
        .ok();
        let run = env.run(&["credentials", "lake", "--job", "big", "--no-cache"]);
        if run.code == 0 {
            longest = Some(len);
            continue;
        }
        assert!(run.stderr.contains("STS accepts 2048"), "{}", run.stderr);
        break;
    }
    let longest = longest.expect("some locations fit");
    // Each character of the prefix is in the policy twice (the objects, the listing's
    // condition), beside three mentions of the bucket.
    assert!(
        longest >= 740,
        "a prefix of {longest} characters is the longest that fits"
    );
}

#[test]
fn show_aws_profile_prints_a_stanza_that_runs_this_binary() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = setup(&emulator);
    // A catalog path with a space.
    let spaced = env.path().join("my catalogs");
    std::fs::create_dir(&spaced).unwrap();
    let catalog = spaced.join("team.db");
    std::fs::copy(&env.catalog, &catalog).unwrap();
    env.catalog = catalog.clone();
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        "SHOW AWS PROFILE FOR CONNECTION lake JOB load",
    ]);
    let rows = run.json_lines();
    let config = rows[0][0]["config"].as_str().expect("config").to_string();
    assert_eq!(rows[0][0]["profile"], "connsql-lake-load");
    assert!(
        config.starts_with("[profile connsql-lake-load]\n"),
        "{config}"
    );
    assert!(
        config.contains(&format!(
            "--catalog '{}' credentials lake --job load",
            catalog.display()
        )),
        "{config}"
    );
    assert!(config.contains(crate::util::CONNSQL), "{config}");
    assert!(config.contains("region = us-east-1"), "{config}");
    // The command line works as a shell runs it.
    let command = config
        .lines()
        .find_map(|l| l.strip_prefix("credential_process = "))
        .expect("credential_process");
    let mut sh = std::process::Command::new("sh");
    sh.env_clear();
    for (k, v) in env.vars() {
        sh.env(k, v);
    }
    let out = sh.args(["-c", command]).output().expect("sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    process_json(&String::from_utf8_lossy(&out.stdout));
    // A connection without credentials of its own has no profile.
    let err = env
        .run(&["-c", "SHOW AWS PROFILE FOR CONNECTION mine"])
        .fails(1)
        .to_string();
    assert!(err.contains("error[aws-no-credentials]"), "{err}");
}

/// A tool told to use a connection's profile the usual way, `AWS_PROFILE=connsql-lake`, passes
/// the variable on to connsql: connsql then takes its own identity from the standard chain
/// without that profile (in the profile's region), cold cache or warm; with no identity there,
/// one line says so and how to name one; `CONNSQL_BASE_PROFILE` names it. Never a loop.
#[test]
fn a_connsql_profile_selected_by_aws_profile_works_cold_and_warm() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = setup(&emulator);
    let stanza = env
        .run(&[
            "--format",
            "json",
            "-c",
            "SHOW AWS PROFILE FOR CONNECTION lake",
        ])
        .json_lines()[0][0]["config"]
        .as_str()
        .unwrap()
        .to_string();
    let config = env.write("aws-config", &stanza);
    env.set("AWS_CONFIG_FILE", config.to_str().unwrap())
        .set("AWS_PROFILE", "connsql-lake")
        .unset("AWS_REGION");
    // Cold, then warm: the base identity from the environment's keys, the region the stanza's.
    let cold = process_json(env.run(&["credentials", "lake"]).ok());
    let warm = process_json(env.run(&["credentials", "lake"]).ok());
    assert_eq!(cold, warm, "the second answer comes from the cache");
    // No identity but the connsql profile: one line, naming the way out, fast.
    env.unset("AWS_ACCESS_KEY_ID")
        .unset("AWS_SECRET_ACCESS_KEY");
    let started = Instant::now();
    let run = env.run(&["credentials", "lake", "--no-cache"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[aws-no-credentials]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("AWS_PROFILE names connsql-lake")
            && run.stderr.contains("CONNSQL_BASE_PROFILE"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--no-validate"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // With a base profile of its own, the same environment works.
    let base = format!(
        "{stanza}\n[profile mine]\naws_access_key_id = {CI_KEY}\naws_secret_access_key = {CI_SECRET}\nregion = us-east-1\n"
    );
    env.write("aws-config", &base);
    env.set("CONNSQL_BASE_PROFILE", "mine");
    process_json(env.run(&["credentials", "lake", "--no-cache"]).ok());
}

/// A world with one role per misbehaving STS answer, each faulting on every call.
fn faulty_world() -> Value {
    let mut world = world();
    let roles = world["roles"].as_array_mut().expect("roles");
    for fault in [
        "empty_credentials",
        "truncated_answer",
        "expired_credentials",
        "far_expiration",
        "error_with_secret",
        "unreadable_with_secret",
    ] {
        roles.push(serde_json::json!({
            "arn": format!("arn:aws:iam::123456789012:role/{fault}"),
            "trust": [{ "principal": crate::util::CI_ARN, "external_id": "a1b2c3d4" }],
            "fault": fault, "fault_count": 1000
        }));
    }
    world
}

/// Every bad answer STS may give is refused before anything is printed or cached: exit 1, one
/// line on stderr that quotes no credential and no control character, nothing on stdout, and
/// no cache file left behind (the next call asks STS again).
#[test]
fn bad_sts_answers_are_never_handed_out_or_cached() {
    let emulator = Emulator::start(&faulty_world(), &[]);
    let mut env = Env::new();
    env.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let cases = [
        ("empty_credentials", "the AccessKeyId is empty"),
        ("truncated_answer", ""),
        ("expired_credentials", "they have already expired"),
        (
            "far_expiration",
            "they expire later than the 3600 s asked for allow",
        ),
        (
            "error_with_secret",
            "denied \\x1b[2J\\x1b]0;pwned\\x07 by policy",
        ),
        ("unreadable_with_secret", "STS answered HTTP 200 (text/xml)"),
    ];
    for (fault, says) in cases {
        env.run(&[
            "--no-validate",
            "-c",
            &format!(
                "CREATE S3 CONNECTION {fault} AWS_ROLE = 'arn:aws:iam::123456789012:role/{fault}' EXTERNAL_ID = 'a1b2c3d4'"
            ),
        ])
        .ok();
        for _ in 0..2 {
            let run = env.run(&["credentials", fault]);
            let err = run.fails(1);
            assert_eq!(run.stdout, "", "{fault}: nothing handed out");
            assert_eq!(err.lines().count(), 1, "{fault}: one line: {err}");
            assert!(err.contains(says), "{fault}: {err}");
            for leaked in ["LEAKED", "TRUNCATED", "EXPIRED", "FOREVER", "secretKEY"] {
                assert!(!err.contains(leaked), "{fault} quotes a credential: {err}");
            }
            assert!(
                !err.chars().any(|c| c.is_control() && c != '\n'),
                "{fault}: a raw control character: {err:?}"
            );
        }
        let cached = std::fs::read_dir(env.path().join("cache/connsql/credentials"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(cached, 0, "{fault}: nothing cached");
    }
}

/// Six cold callers against an STS that never answers, with `--timeout 2`: each waits at most
/// its own timeout (not one after another), and the waiters take the leader's failure instead
/// of calling STS themselves.
#[test]
fn waiting_callers_share_the_timeout_and_the_failure() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = Env::new();
    env.use_emulator(&emulator, CI_KEY, CI_SECRET);
    env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION hangs AWS_ROLE = 'arn:aws:iam::123456789012:role/hangs' EXTERNAL_ID = 'a1b2c3d4'",
    ])
    .ok();
    let started = Instant::now();
    let children: Vec<_> = (0..6)
        .map(|_| {
            env.command()
                .args(["--timeout", "2", "credentials", "hangs"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut ended = Vec::new();
    for child in children {
        let out = crate::util::bounded(child, &[]);
        ended.push(started.elapsed());
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("did not answer within"), "{err}");
    }
    let last = ended.iter().max().copied().unwrap_or_default();
    assert!(
        last < Duration::from_secs(5),
        "every caller ends within about one --timeout: {ended:?}"
    );
    assert!(
        emulator.stats()["actions"]["AssumeRole"]
            .as_u64()
            .unwrap_or(0)
            <= 2,
        "the waiters did not call STS one by one: {}",
        emulator.stats()
    );
}

/// A catalog copied from another holds the same connection ids: their cached credentials
/// live side by side, neither evicting the other's.
#[test]
fn copied_catalogs_keep_their_own_cache_entries() {
    let emulator = Emulator::start(&world(), &[]);
    let env = setup(&emulator);
    let copy = env.path().join("copy.db");
    env.run(&[
        "catalog",
        "copy",
        env.catalog.to_str().expect("path"),
        copy.to_str().expect("path"),
    ])
    .ok();
    let from_copy = |env: &Env| {
        let mut cmd = env.command_without_catalog();
        cmd.arg("--catalog")
            .arg(&copy)
            .args(["credentials", "lake"]);
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let first = env.run(&["credentials", "lake"]).ok().to_string();
    let copied = from_copy(&env);
    let calls = assumes(&emulator);
    assert_eq!(
        env.run(&["credentials", "lake"]).ok(),
        first,
        "still cached"
    );
    assert_eq!(from_copy(&env), copied, "the copy's still cached");
    assert_eq!(assumes(&emulator), calls, "no STS call for either");
}
