//! Batch modes, inputs in order, exit codes and the stop summary.

use crate::util::Env;

const THREE: &str =
    "CREATE S3 CONNECTION a;\nCREATE S3 CONNECTION b READ_ONLY = 'yes';\nCREATE S3 CONNECTION c;\n";

fn names(env: &Env) -> Vec<String> {
    env.connections()
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn first_failure_stops_and_keeps_what_ran() {
    let env = Env::new();
    let file = env.write("setup.sql", THREE);
    let run = env.run(&["--no-validate", "-f", file.to_str().unwrap()]);
    let err = run.fails(1);
    assert_eq!(run.stdout, "created connection a\n");
    assert!(err.contains("setup.sql:2:36"), "{err}");
    assert!(err.contains("connsql: stopped at statement 2 ("), "{err}");
    assert!(
        err.contains("1 statement before it applied, the rest not run"),
        "{err}"
    );
    assert_eq!(names(&env), ["a"]);
}

#[test]
fn continue_on_error_runs_the_rest() {
    let env = Env::new();
    let file = env.write("setup.sql", THREE);
    let run = env.run(&[
        "--no-validate",
        "--continue-on-error",
        "-f",
        file.to_str().unwrap(),
    ]);
    let err = run.fails(1);
    assert_eq!(run.stdout, "created connection a\ncreated connection c\n");
    assert!(err.contains("connsql: 1 of 3 statements failed"), "{err}");
    assert_eq!(names(&env), ["a", "c"]);
}

#[test]
fn single_transaction_is_all_or_nothing() {
    let env = Env::new();
    let file = env.write("setup.sql", THREE);
    let run = env.run(&[
        "--no-validate",
        "--single-transaction",
        "-f",
        file.to_str().unwrap(),
    ]);
    let err = run.fails(1);
    assert_eq!(
        run.stdout, "",
        "nothing is reported done when it was rolled back"
    );
    assert!(err.contains("nothing was applied"), "{err}");
    assert!(names(&env).is_empty());
    let ok = env.write("ok.sql", "CREATE S3 CONNECTION a; CREATE S3 CONNECTION b;");
    env.run(&[
        "--no-validate",
        "--single-transaction",
        "-f",
        ok.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(names(&env), ["a", "b"]);
}

#[test]
fn dry_run_writes_nothing_and_prints_the_plan() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION old; CREATE S3 CONNECTION same COMMENT = 'x'");
    let run = env.run(&[
        "--no-validate",
        "--dry-run",
        "-c",
        "CREATE S3 CONNECTION a; ALTER S3 CONNECTION old SET COMMENT = 'y'; DROP CONNECTION old; \
         CREATE OR REPLACE S3 CONNECTION same COMMENT = 'x'; SHOW CONNECTIONS LIKE 'a'",
    ]);
    assert!(
        run.ok().starts_with(
            "would create connection a\nwould alter connection old\nwould drop connection old\n\
             unchanged: connection same (the options are the same)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("| a    |"),
        "the plan sees its own changes: {}",
        run.stdout
    );
    assert_eq!(names(&env), ["old", "same"]);
    let json = env.run(&[
        "--no-validate",
        "--dry-run",
        "--format",
        "json",
        "-c",
        "CREATE S3 CONNECTION z",
    ]);
    assert_eq!(json.json_lines()[0]["dry_run"], true);
    assert_eq!(names(&env), ["old", "same"]);
}

#[test]
fn files_and_commands_run_in_command_line_order() {
    let env = Env::new();
    let first = env.write("1.sql", "CREATE S3 CONNECTION one;");
    let third = env.write("3.sql", "DROP CONNECTION two;");
    let run = env.run(&[
        "--no-validate",
        "-f",
        first.to_str().unwrap(),
        "-c",
        "CREATE S3 CONNECTION two",
        "-f",
        third.to_str().unwrap(),
    ]);
    assert_eq!(
        run.ok(),
        "created connection one\ncreated connection two\ndropped connection two\n"
    );
}

#[test]
fn stdin_is_a_batch_when_not_a_terminal() {
    let env = Env::new();
    let run = env.run_stdin(
        &["--no-validate"],
        "CREATE S3 CONNECTION piped;\nSHOW CONNECTIONS;\n",
    );
    assert!(
        run.ok().starts_with("created connection piped\n"),
        "{}",
        run.stdout
    );
    let dash = env.run_stdin(&["--no-validate", "-f", "-"], "DROP CONNECTION piped");
    assert_eq!(dash.ok(), "dropped connection piped\n");
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&["--no-such-flag"]).fails(2);
    let err = env.run(&["-f", "/nonexistent/x.sql"]).fails(2).to_string();
    assert!(err.contains("no such file"), "{err}");
    env.run(&[
        "--continue-on-error",
        "--single-transaction",
        "-c",
        "SHOW CONNECTIONS",
    ])
    .fails(2);
    env.run(&["--format", "xml", "-c", "SHOW CONNECTIONS"])
        .fails(2);
}

#[test]
fn non_utf8_input_names_the_byte_offset() {
    let env = Env::new();
    let path = env.path().join("latin1.sql");
    std::fs::write(
        &path,
        b"CREATE S3 CONNECTION a;\nCREATE S3 CONNECTION b COMMENT = 'caf\xe9';\n",
    )
    .expect("write");
    let run = env.run(&["--no-validate", "-f", path.to_str().unwrap()]);
    let err = run.fails(1);
    assert!(err.contains("error[invalid-utf8]"), "{err}");
    assert!(err.contains("byte 0xe9 at byte offset 61"), "{err}");
    assert!(err.contains("latin1.sql:2:"), "{err}");
}

#[test]
fn errors_point_at_file_line_and_character_column() {
    let env = Env::new();
    let file = env.write(
        "u.sql",
        "-- données\nCREATE S3 CONNECTION \"été\" COMENT = 'x';\n",
    );
    let err = env
        .run(&["--no-validate", "-f", file.to_str().unwrap()])
        .fails(1)
        .to_string();
    assert!(
        err.contains("u.sql:2:28"),
        "columns count characters: {err}"
    );
    assert!(err.contains("^^^^^^ did you mean COMMENT?"), "{err}");
}

#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    let env = Env::new();
    let creates: String = (0..300)
        .map(|i| format!("CREATE S3 CONNECTION c{i};"))
        .collect();
    env.sql(&creates);
    let mut child = env
        .command()
        .args([
            "--no-validate",
            "-c",
            "SHOW CONNECTIONS; SHOW CONNECTIONS; SHOW CONNECTIONS",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = crate::util::bounded(child, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs 400 CREATEs with long comments through the library on a catalog that may grow by
/// 12 pages only, as on a full disk: the summary, what went to stderr, and the reports' count.
fn run_on_a_full_disk(env: &Env) -> (connsql::session::RunSummary, String, usize) {
    use connsql::input::Input;
    use connsql::output::{Format, Printer, TableStyle};
    use connsql::session::{CatalogSlot, RunOptions, Session};

    let mut engine = connsql::catalog::SqliteEngine::open(&env.catalog, false).expect("open");
    engine.limit_growth(12).expect("limit");
    let catalog = connsql::catalog::Catalog::new(Box::new(engine));
    let long_comment = "x".repeat(600);
    let script: String = (0..400)
        .map(|i| format!("CREATE S3 CONNECTION c{i:03} COMMENT = '{long_comment}';\n"))
        .collect();
    let validator = connsql::aws::StsValidator::new(connsql::aws::StsOptions::default());
    let mut session = Session::new(CatalogSlot::Open(catalog), Box::new(validator));
    let file = env.write("many.sql", &script);
    let (mut out, mut errs) = (Vec::new(), Vec::new());
    let mut printer = Printer::new(
        &mut out,
        Format::Json,
        false,
        TableStyle {
            terminal: false,
            expanded: false,
        },
    );
    let opts = RunOptions {
        validate: false,
        window: 4096,
        ..RunOptions::default()
    };
    let summary = connsql::batch::run(
        &mut session,
        &[Input::File(file)],
        opts,
        &mut printer,
        &mut errs,
        connsql::output::ErrLooks::default(),
    );
    drop(printer);
    (
        summary,
        String::from_utf8_lossy(&errs).into_owned(),
        String::from_utf8_lossy(&out).lines().count(),
    )
}

/// What a full-disk run must leave: stopped at the first statement not applied, one report
/// per applied statement, each with its connection and history row and nothing more.
fn assert_stored_is_reported(
    env: &Env,
    (summary, errs, reports): &(connsql::session::RunSummary, String, usize),
) {
    assert!(!summary.success(), "{errs}");
    assert!(errs.contains("error[catalog-full]"), "{errs}");
    let applied = summary.applied;
    assert!(applied > 0 && applied < 400, "applied {applied}: {errs}");
    assert_eq!(
        summary.stopped_at.as_ref().map(|s| s.seq),
        Some(applied + 1),
        "the summary names the first statement not applied: {errs}"
    );
    assert_eq!(*reports, applied, "one report per applied statement");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("reopen");
    assert_eq!(catalog.connections(None).expect("list").len(), applied + 1);
    assert_eq!(
        catalog.history().expect("history").len(),
        applied + 1,
        "no connection without its history"
    );
}

/// A write that fails half-way (here: the catalog file may not grow, as on a full disk) leaves
/// no part of its statement behind, and the statements before it stay applied and reported.
#[test]
fn a_full_disk_half_way_keeps_statements_whole() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION first");
    let run = run_on_a_full_disk(&env);
    assert_stored_is_reported(&env, &run);
}

/// Once the disk is full, each transaction first checkpoints the WAL. A reader holding an
/// older snapshot (a `sqlite3` shell left inside a transaction) keeps that from finishing; it
/// must not make each statement wait the 60 s busy timeout for it.
#[test]
fn a_reader_on_an_old_snapshot_does_not_stall_a_full_disk_run() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION first");
    let reader = rusqlite::Connection::open(&env.catalog).expect("reader");
    reader.execute_batch("BEGIN").expect("begin");
    let seen: i64 = reader
        .query_row("SELECT count(*) FROM connections", [], |r| r.get(0))
        .expect("read");
    assert_eq!(seen, 1);
    let started = std::time::Instant::now();
    let run = run_on_a_full_disk(&env);
    // Waiting on the reader even once would take the busy timeout (60 s).
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the run waited on the reader: {:?}",
        started.elapsed()
    );
    reader.execute_batch("COMMIT").expect("end the read");
    assert_stored_is_reported(&env, &run);
}

/// After a syntax error the summary names the line the failed statement starts on, and
/// following its hint runs that statement whole once fixed; a missing `;` is named at the
/// end of the statement before, and nothing after it is skipped silently.
#[test]
fn the_resume_hint_names_where_the_failed_statement_starts() {
    let env = Env::new();
    let file = env.write(
        "multi2.sql",
        "CREATE S3 CONNECTION a0;\nCREATE S3 CONNECTION a1\n  AWS_ROLE = 'arn:aws:iam::123456789012:role/r'\n  EXTERNAL_ID 'x';\nCREATE S3 CONNECTION a2;\n",
    );
    let err = env
        .run(&["--no-validate", "-f", file.to_str().expect("path")])
        .fails(1)
        .to_string();
    assert!(
        err.contains("stopped at statement 2 (") && err.contains("multi2.sql:2:1)"),
        "{err}"
    );
    assert!(err.contains("from line 2 on (e.g. tail -n +2"), "{err}");
    // The hint, followed after the fix, runs the whole statement and the rest.
    let fixed = std::fs::read_to_string(&file)
        .expect("read")
        .replace("EXTERNAL_ID 'x'", "EXTERNAL_ID = 'xy'");
    let rest: String = fixed.lines().skip(1).map(|l| format!("{l}\n")).collect();
    env.run_stdin(&["--no-validate"], &rest).ok();
    assert_eq!(env.stored_names(), ["a0", "a1", "a2"]);

    let env = Env::new();
    let file = env.write(
        "missing.sql",
        "CREATE S3 CONNECTION a1 COMMENT = 'one'\nCREATE S3 CONNECTION a2 COMMENT = 'two';\n",
    );
    let err = env
        .run(&["--no-validate", "-f", file.to_str().expect("path")])
        .fails(1)
        .to_string();
    assert!(
        err.contains("CREATE starts another statement: this one has no `;`"),
        "{err}"
    );
    assert!(
        err.contains("missing.sql:1:40") && err.contains("add `;` here"),
        "{err}"
    );
    assert!(err.contains("from line 1 on"), "{err}");
    assert!(
        !env.catalog.exists(),
        "nothing was applied, not even a catalog made"
    );
}
