//! What a new user ran into (the REPL dying on Ctrl-C, the mask taken as a secret, timeouts
//! overrunning, wide tables, …): each through the real binary, the REPL through a pty.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{CI_ARN, CI_KEY, CI_SECRET, Emulator, Env};

const ROLE: &str = "arn:aws:iam::123456789012:role/lake-reader";

fn env_for(emulator: &Emulator) -> Env {
    let mut env = Env::new();
    env.use_emulator(emulator, CI_KEY, CI_SECRET);
    env
}

#[test]
fn ctrl_c_cancels_a_validation_and_the_repl_goes_on() {
    let emulator = Emulator::standard(&[]);
    let mut env = env_for(&emulator);
    // A terminal says what it is (indicatif draws nothing without TERM).
    env.set("TERM", "xterm");
    let mut p = env.pty(&["--timeout", "60"], 20);
    p.exp_string("connsql> ").expect("prompt");
    p.send_line("CREATE S3 CONNECTION h AWS_ROLE = 'arn:aws:iam::123456789012:role/hangs' EXTERNAL_ID = 'a1b2c3d4';")
        .expect("send");
    // A statement waiting on AWS is not silent at a terminal: a spinner, after a moment.
    p.exp_string("waiting for AWS")
        .expect("a spinner while STS does not answer");
    std::thread::sleep(Duration::from_millis(200));
    let cancelled_at = Instant::now();
    p.send_control('c').expect("ctrl-c");
    p.exp_string("cancelled")
        .expect("the statement is cancelled");
    assert!(cancelled_at.elapsed() < Duration::from_secs(5));
    p.exp_string("connsql> ").expect("back at the prompt");
    p.send_line("SHOW CONNECTIONS;").expect("send");
    p.exp_string("error[catalog-missing]")
        .expect("nothing was written: not even the catalog has a connection");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
}

#[test]
fn read_of_a_missing_file_or_a_directory_is_an_input_error() {
    let env = Env::new();
    let mut p = env.repl(&["--no-validate"]);
    p.send_line(".read /nonexistent/setup.sql").expect("send");
    p.exp_string("error[unreadable-input]: cannot read /nonexistent/setup.sql: no such file")
        .expect("named, not a panic");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(&format!(".read {}", env.path().display()))
        .expect("send");
    p.exp_string("it is a directory")
        .expect("a directory is named");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
}

#[test]
fn the_mask_is_never_taken_as_a_secret() {
    let env = Env::new();
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '********'",
    ]);
    let err = run.fails(1);
    assert!(err.contains("error[masked-secret]"), "{err}");
    assert!(!err.contains("missing-option"), "one error, not two: {err}");
    assert!(
        err.contains("ALTER … SET"),
        "says how to keep a stored one: {err}"
    );
    // SHOW CREATE output run again is refused the same way.
    env.sql("CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'real-secret'");
    let shown = env.sql("SHOW CREATE CONNECTION k");
    let again = shown.replace("CREATE S3", "CREATE OR REPLACE S3");
    let err = env
        .run(&["--no-validate", "-c", &again])
        .fails(1)
        .to_string();
    assert!(err.contains("error[masked-secret]"), "{err}");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let stored = catalog.connection("k").expect("look-up").expect("found");
    match stored.spec.credentials {
        connsql::sql::Credentials::Keys {
            secret_access_key, ..
        } => assert_eq!(secret_access_key.expose(), "real-secret"),
        other => panic!("{other:?}"),
    }
}

/// Up-arrow recalls what was typed (within the session); the file on disk stays masked.
#[test]
fn a_recalled_line_keeps_its_secret_in_memory_only() {
    let env = Env::new();
    let mut p = env.repl(&["--no-validate"]);
    p.send_line("CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'RECALLEDSECRET';")
        .expect("send");
    p.exp_string("created connection k").expect("created");
    p.send_line("DROP CONNECTION k;").expect("send");
    p.exp_string("dropped connection k").expect("dropped");
    // Up twice: the CREATE, as typed.
    p.send("\x1b[A").expect("up");
    p.send("\x1b[A").expect("up");
    p.send_line("").expect("enter");
    p.exp_string("created connection k")
        .expect("the recalled line carried the real secret, not the mask");
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
    let history =
        std::fs::read_to_string(env.path().join("data/connsql/history.txt")).expect("history");
    assert!(!history.contains("RECALLEDSECRET"), "{history}");
    assert!(history.contains("'********'"), "{history}");
}

#[test]
fn timeout_bounds_the_whole_call_retries_included() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let started = Instant::now();
    let err = env
        .run(&[
            "--timeout",
            "1",
            "-c",
            "CREATE S3 CONNECTION h AWS_ROLE = 'arn:aws:iam::123456789012:role/hangs' EXTERNAL_ID = 'a1b2c3d4'",
        ])
        .fails(1)
        .to_string();
    let took = started.elapsed();
    assert!(err.contains("did not answer within 1.0 s"), "{err}");
    // One call, bounded by 1 s, plus process start and the caller's own identity call.
    assert!(took < Duration::from_millis(2500), "took {took:?}");
}

#[test]
fn a_wrong_external_id_names_both_sides() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let sql = format!("CREATE S3 CONNECTION typo AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d5'");
    let err = env.run(&["-c", &sql]).fails(1).to_string();
    assert!(err.contains("error[aws-access-denied]"), "{err}");
    assert!(
        err.contains("if the trust policy is right, the EXTERNAL_ID is wrong"),
        "{err}"
    );
    assert!(
        err.contains("sent as ExternalId \"a1b2c3d5\""),
        "a label under EXTERNAL_ID: {err}"
    );
    env.sql(&format!(
        "CREATE S3 CONNECTION lake AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'"
    ));
    let alter = "ALTER S3 CONNECTION lake SET EXTERNAL_ID = 'wrong-id'";
    let err = env.run(&["-c", alter]).fails(1).to_string();
    let col = alter.find("EXTERNAL_ID").unwrap() + 1;
    assert!(
        err.contains(&format!("<command 1>:1:{col}")),
        "the caret is on the option, not the name: {err}"
    );
}

#[test]
fn dry_run_reports_in_order_and_writes_nothing() {
    let env = Env::new();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" --catalog \"$1\" --no-validate --dry-run --continue-on-error -c \"$2\" 2>&1")
        .arg(crate::util::CONNSQL)
        .arg(&env.catalog)
        .arg("CREATE S3 CONNECTION a; CREATE S3 CONNECTION b READ_ONLY = 'x'; CREATE S3 CONNECTION c")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let a = text.find("would create connection a").expect("a");
    let error = text.find("error[wrong-value-type]").expect("error");
    let c = text.find("would create connection c").expect("c");
    let summary = text.find("connsql: 1 of 3").expect("summary");
    assert!(a < error && error < c && c < summary, "{text}");
    assert!(!env.catalog.exists(), "a dry run creates no catalog");
}

#[test]
fn reads_never_create_a_catalog() {
    let env = Env::new();
    for sql in [
        "SHOW CONNECTIONS",
        "DESCRIBE CONNECTION lake",
        "SHOW CREATE CONNECTION lake",
        "SHOW TRUST POLICY",
    ] {
        let err = env.run(&["--no-validate", "-c", sql]).fails(1).to_string();
        assert!(err.contains("error[catalog-missing]"), "{sql}: {err}");
        assert!(
            err.contains(&env.catalog.display().to_string()),
            "names the path: {err}"
        );
        assert!(err.contains("the default catalog is"), "{err}");
    }
    assert!(!env.catalog.exists());
    // The guide's first step asks for the trust policy: the way from here is named.
    let err = env
        .run(&["--no-validate", "-c", "SHOW TRUST POLICY"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("create the connection (CREATE S3 CONNECTION")
            && err.contains("SHOW TRUST POLICY FOR CONNECTION"),
        "{err}"
    );
    assert!(matches!(
        connsql::catalog::Catalog::open(&env.catalog),
        Err(connsql::catalog::CatalogError::Missing { .. })
    ));
    assert!(!env.catalog.exists(), "the library's open does not create");
    env.sql("CREATE S3 CONNECTION noext; CREATE S3 CONNECTION \"Quoted\"");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    assert!(catalog.lookup("NOEXT").expect("look-up").is_some());
    assert!(catalog.lookup("\"Quoted\"").expect("look-up").is_some());
    assert!(catalog.lookup("QUOTED").expect("look-up").is_none());
}

#[test]
fn connection_tables_show_what_matters_and_x_shows_everything() {
    let env = Env::new();
    env.sql(&format!(
        "CREATE S3 CONNECTION lake AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4' \
         ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'; \
         CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 's'"
    ));
    let table = env.sql("SHOW CONNECTIONS");
    let header = table.lines().nth(1).expect("header");
    let columns: Vec<&str> = header
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        columns,
        ["name", "authentication", "role_or_key", "read_only"],
        "empty columns (validated_at, comment) are dropped: {table}"
    );
    assert!(table.contains("AKIAIOSFODNN7EXAMPLE") && table.contains(ROLE));
    assert!(
        !table.contains("arn:aws:kms"),
        "DESCRIBE shows the rest: {table}"
    );
    let expanded = env.run(&["--no-validate", "-x", "-c", "SHOW CONNECTIONS"]);
    let expanded = expanded.ok();
    assert!(expanded.starts_with("-[ RECORD 1 ]"), "{expanded}");
    for column in connsql::output::show_columns() {
        assert!(
            expanded.contains(&format!("\n{column} ")),
            "{column}: {expanded}"
        );
    }
    assert!(expanded.contains("arn:aws:kms:us-west-2:111122223333:key/1234abcd"));
}

/// At a terminal, long values are cut with … to the terminal's width, never wrapped.
#[test]
fn terminal_tables_fit_their_width() {
    let env = Env::new();
    env.sql(&format!(
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/{}' COMMENT = 'a comment that goes on and on and on and on'",
        "a-role-name-long-enough-to-need-cutting"
    ));
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("stty cols 72; exec \"$0\" --catalog \"$1\" --no-validate")
        .arg(crate::util::CONNSQL)
        .arg(&env.catalog)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", env.path())
        .env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn in a pty");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line("SHOW CONNECTIONS;").expect("send");
    let (raw, _) = p.exp_regex(r"shows every column\)").expect("table");
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
    // The pty's bytes arrive one char each: decode them as the UTF-8 they are.
    let bytes: Vec<u8> = raw.chars().map(|c| c as u32 as u8).collect();
    let table = String::from_utf8_lossy(&bytes).into_owned();
    assert!(table.contains('…'), "{table}");
    // Cut in the middle, so the end that tells roles apart stays; the timestamp went first;
    // and the table says how to see everything.
    assert!(table.contains("cutting"), "{table}");
    assert!(!table.contains("validated_at"), "{table}");
    assert!(
        table.contains("values cut to fit the terminal; not shown:"),
        "{table}"
    );
    for line in table.lines().filter(|l| l.contains('│') || l.contains('┆')) {
        assert!(line.chars().count() <= 72, "{line:?} in\n{table}");
    }
}

#[test]
fn csv_has_one_header_per_shape() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION a");
    let out = env.run(&[
        "--no-validate",
        "--format",
        "csv",
        "-c",
        "SHOW CONNECTIONS; SHOW CONNECTIONS",
    ]);
    let text = out.ok();
    assert_eq!(
        text.matches("name,type,authentication").count(),
        1,
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn a_wrong_aws_profile_is_named_with_the_files_looked_in() {
    let mut env = Env::new();
    let config = env.write("aws-config", "[profile other]\nregion = us-east-1\n");
    env.set("AWS_CONFIG_FILE", config.to_str().unwrap())
        .set("AWS_PROFILE", "nosuch");
    for region in [None, Some("us-east-1")] {
        if let Some(r) = region {
            env.set("AWS_REGION", r);
        }
        let err = env
            .run(&["-c", "CREATE S3 CONNECTION d"])
            .fails(1)
            .to_string();
        assert!(err.contains("profile `nosuch`"), "{err}");
        assert!(err.contains(config.to_str().unwrap()), "{err}");
        assert!(err.contains("defined: other"), "{err}");
        assert!(!err.contains("aws-no-region"), "{err}");
    }
}

#[test]
fn files_fifos_and_devices_are_read_and_directories_named() {
    let env = Env::new();
    let run = env.run_stdin(
        &["--no-validate", "-f", "/dev/stdin"],
        "CREATE S3 CONNECTION from_dev_stdin;",
    );
    assert_eq!(run.ok(), "created connection from_dev_stdin\n");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("\"$0\" --catalog \"$1\" --no-validate -f <(echo 'CREATE S3 CONNECTION from_fifo;')")
        .arg(crate::util::CONNSQL)
        .arg(&env.catalog)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("bash");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "created connection from_fifo\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = env
        .run(&["-f", env.path().to_str().unwrap()])
        .fails(2)
        .to_string();
    assert!(err.contains("it is a directory"), "{err}");
}

#[test]
fn smaller_things() {
    let env = Env::new();
    let err = env
        .run(&["--timeout", "0", "-c", "SHOW CONNECTIONS"])
        .fails(2)
        .to_string();
    assert!(err.contains("greater than 0"), "{err}");
    let err = env
        .run(&["--no-validate", "-c", "SHOW CONNECTION"])
        .fails(1)
        .to_string();
    assert!(err.contains("did you mean SHOW CONNECTIONS?"), "{err}");
    let err = env
        .run(&["--no-validate", "-c", "DESCRIBE lake"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("did you mean DESCRIBE CONNECTION lake?"),
        "and the name is not upper-cased: {err}"
    );
    env.sql("CREATE S3 CONNECTION a");
    for row in env.connections() {
        for key in ["created_at", "updated_at"] {
            let t = row[key].as_str().expect("time");
            assert_eq!(t.len(), "2026-11-28T17:31:46.180Z".len(), "{t}");
            assert!(t.ends_with('Z') && t.as_bytes()[19] == b'.', "{t}");
        }
    }
    let help = env.run(&["--help"]);
    let help = help.ok();
    for needle in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_ENDPOINT_URL_STS",
        "NO_COLOR",
        "history.txt",
        "data/connsql/catalog.db",
        "not with --continue-on-error",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
    assert!(!help.contains("[env: CONNSQL_CATALOG="), "{help}");
    let version = env.run(&["--version"]);
    assert!(version.ok().contains("SQLite 3."), "{}", version.stdout);
}

#[test]
fn ctrl_d_in_an_unfinished_statement_says_so() {
    let env = Env::new();
    let mut p = env.repl(&["--no-validate"]);
    p.send_line("CREATE S3 CONNECTION half").expect("send");
    p.exp_string("..> ").expect("continuation");
    p.send_control('d').expect("ctrl-d");
    p.exp_string("the unfinished statement was not run")
        .expect("said, not dropped silently");
    p.exp_eof().expect("exit");
}

#[test]
fn a_shared_proof_says_whose_it_was() {
    let emulator = Emulator::standard(&[]);
    let env = env_for(&emulator);
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        &format!(
            "CREATE S3 CONNECTION v1 AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'; \
             CREATE S3 CONNECTION v3 AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'"
        ),
    ]);
    run.ok();
    let lines = run.json_lines();
    assert!(lines[0].get("proof_shared_with").is_none(), "{lines:?}");
    assert_eq!(lines[1]["proof_shared_with"], "v1", "{lines:?}");
    assert_eq!(lines[1]["caller_arn"], CI_ARN);
    let table = env.run(&["-c", "VALIDATE CONNECTION v3"]);
    assert!(
        table.ok().contains("assumed-role/lake-reader/connsql-v3"),
        "a run of its own proves it afresh: {}",
        table.stdout
    );
}

#[test]
fn a_closed_pipe_before_the_end_is_not_success() {
    let env = Env::new();
    let script: String = (0..20_000)
        .map(|i| format!("CREATE S3 CONNECTION c{i};\n"))
        .collect();
    let file = env.write("big.sql", &script);
    let mut child = env
        .command()
        .args(["--no-validate", "-f", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    use std::io::Read;
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("a first report");
    drop(child.stdout.take());
    let out = crate::util::bounded(child, &[]);
    assert_eq!(out.status.code(), Some(1), "not every statement ran");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A real Upsolver file mixes statements connsql does not run with its connections and S3
/// jobs: `--skip-unsupported` reports each of them (what and where) and runs the rest; without
/// it the first stops the run, and its help names the flag.
#[test]
fn skip_unsupported_runs_a_mixed_upsolver_script() {
    let env = Env::new();
    let file = env.write(
        "mixed.sql",
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader';\n\
         CREATE TABLE default_glue_catalog.db.orders (order_id string);\n\
         CREATE KAFKA CONNECTION events HOSTS = ('k:9092');\n\
         CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/'\n\
             INTO default_glue_catalog.db.orders;\n\
         CREATE MATERIALIZED VIEW v AS SELECT 1;\n",
    );
    let path = file.to_str().unwrap();
    let stopped = env.run(&["--no-validate", "-f", path]);
    assert_eq!(stopped.code, 1);
    assert!(
        stopped.stderr.contains("--skip-unsupported"),
        "{}",
        stopped.stderr
    );
    assert_eq!(env.stored_names(), ["lake"]);

    let env = Env::new();
    let run = env.run(&["--no-validate", "--skip-unsupported", "-f", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (n, line, what) in [
        (2, 2, "`CREATE TABLE` is not a connection statement"),
        (3, 3, "KAFKA connections are not supported"),
        (
            5,
            6,
            "`CREATE MATERIALIZED VIEW` is not a connection statement",
        ),
    ] {
        assert!(
            run.stderr.contains(&format!("mixed.sql:{line}): {what}"))
                && run.stderr.contains(&format!("skipped statement {n} (")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("3 statements of other kinds skipped (--skip-unsupported)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("created job load"), "{}", run.stdout);
}

/// Messages that misled: a job or table name is called what it is, and one failed `-c`
/// statement is not followed by a summary of a run of many.
#[test]
fn names_are_called_what_they_are_and_one_statement_needs_no_summary() {
    let env = Env::new();
    let run = env.run(&["--no-validate", "-c", "DROP JOB"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("expected a job name"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("connsql: stopped at"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE JOB j AS COPY FROM S3 lake LOCATION = 's3://lake-raw/' INTO",
    ]);
    assert!(
        run.stderr.contains("expected a table name"),
        "{}",
        run.stderr
    );
}

/// An option written with a bad value has its own error, and no second one says it is missing;
/// `catalog copy --help` lists only what applies to it.
#[test]
fn a_bad_value_is_not_also_reported_missing() {
    let env = Env::new();
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION lake; \
         CREATE JOB j AS COPY FROM S3 lake BUCKET = 'UPPER_bad' PREFIX = 'raw/' INTO db.t",
    ]);
    assert!(run.stderr.contains("invalid BUCKET"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("PREFIX needs BUCKET"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION x AWS_ROLE = \"arn:aws:iam::123456789012:role/r\" EXTERNAL_ID = 'abcd'",
    ]);
    assert!(run.stderr.contains("not a quoted name"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("EXTERNAL_ID needs AWS_ROLE"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIA' AWS_SECRET_ACCESS_KEY = 'x'",
    ]);
    assert!(
        !run.stderr.contains("needs AWS_SECRET_ACCESS_KEY"),
        "{}",
        run.stderr
    );
    let help = env.run(&["catalog", "copy", "--help"]);
    let help = help.ok();
    assert!(
        !help.contains("--catalog") && !help.contains("one STS call may take in all\n"),
        "{help}"
    );
    assert!(help.contains("connecting to a catalog server"), "{help}");
}

/// Upsolver's documented `MAX_DELAY` and `SKIP_VALIDATIONS` run as written, and print back.
#[test]
fn upsolver_max_delay_and_skip_validations_run_as_written() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION lake");
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("grammar/ok/0037_max_delay_skip_validations.sql");
    let run = env.run(&["--no-validate", "-f", file.to_str().unwrap()]);
    assert!(
        run.ok().contains("created job export_all"),
        "{}",
        run.stdout
    );
    let shown = env.sql("SHOW CREATE JOB load_late");
    assert!(
        shown.contains("MAX_DELAY = 1 DAY") && shown.contains("SKIP_VALIDATIONS = ('EMPTY_PATH')"),
        "{shown}"
    );
    let run = env.run(&[
        "--no-validate",
        "-c",
        "CREATE JOB x SKIP_VALIDATIONS = ('ALLOW_CARTESIAN_PRODUCT') \
         AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.t",
    ]);
    assert!(run.stderr.contains("it names EMPTY_PATH"), "{}", run.stderr);
}

/// Upsolver's documented content-type groups, `DEDUPLICATE_WITH` and `COLUMN_TRANSFORMATIONS`
/// run as written; what `SHOW CREATE JOB` prints recreates the same job; the rules of each
/// hold (not editable, COPY FROM only, expressions read as SQL).
#[test]
fn upsolver_dedup_transformations_and_content_groups_run_as_written() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION lake");
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("grammar/ok/0038_dedup_transform_content.sql");
    let run = env.run(&["--no-validate", "-f", file.to_str().unwrap()]);
    assert!(run.ok().contains("created job load_logs"), "{}", run.stdout);
    let shown = env.sql("SHOW CREATE JOB load_csv");
    for part in [
        "CONTENT_TYPE = (TYPE = CSV HEADER_LINE = 'id,email,ts' INFER_TYPES = FALSE)",
        // As Upsolver writes it: a comma between its two settings.
        "DEDUPLICATE_WITH = (COLUMNS = (id, \"Event Time\"), WINDOW = 12 HOURS)",
        "COLUMN_TRANSFORMATIONS = (email_hash = MD5(email), ts = CAST($event_time AS TIMESTAMP))",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    // Printed back, it is the same job: CREATE OR REPLACE with that text changes nothing.
    let again = shown.replacen("CREATE JOB", "CREATE JOB IF NOT EXISTS", 1);
    let run = env.run(&["--no-validate", "-c", &again]);
    assert!(run.ok().contains("already exists"), "{}", run.stdout);
    let json = env.run(&["--format", "json", "-c", "SHOW JOBS LIKE 'load_csv'"]);
    assert!(
        json.ok()
            .contains(r#""COLUMN_TRANSFORMATIONS":{"email_hash":"MD5(email)","ts":"CAST($event_time AS TIMESTAMP)"}"#),
        "{}",
        json.stdout
    );
    for (sql, says) in [
        (
            "ALTER JOB load_csv SET COLUMN_TRANSFORMATIONS = (a = 1)",
            "not-editable",
        ),
        (
            "CREATE JOB w DEDUPLICATE_WITH = (COLUMN = id, WINDOW = 1 DAY) \
             AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/' SELECT 1",
            "not-for-this-job",
        ),
        (
            "CREATE JOB w COLUMN_TRANSFORMATIONS = (a = UPPER(x) b = 1) \
             AS COPY FROM S3 lake LOCATION = 's3://lake-raw/w/' INTO db.w",
            "separate transformations with commas",
        ),
        (
            "CREATE JOB w DEDUPLICATE_WITH = (COLUMNS = (id), WINDOW = 0 DAYS) \
             AS COPY FROM S3 lake LOCATION = 's3://lake-raw/w/' INTO db.w",
            "WINDOW takes a whole number of units from 1 up",
        ),
    ] {
        let run = env.run(&["--no-validate", "-c", sql]);
        assert!(run.stderr.contains(says), "{sql}: {}", run.stderr);
    }
}
