//! The REPL through a pseudo-terminal: prompts, a multi-line statement, Ctrl-C, dot-commands,
//! completion and a history file with secrets masked.

use crate::util::Env;

#[test]
fn repl_runs_statements_and_keeps_a_redacted_history() {
    let env = Env::new();
    let mut p = env.pty(&["--no-validate"], 10);
    p.exp_string("Type .help for help.").expect("banner");
    p.exp_string("connsql> ").expect("prompt");
    // A statement over three lines: the continuation prompt shows until the `;`.
    p.send_line("CREATE S3 CONNECTION k").expect("send");
    p.exp_string("..> ").expect("continuation prompt");
    p.send_line("  AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'")
        .expect("send");
    p.exp_string("..> ").expect("continuation prompt");
    p.send_line("  AWS_SECRET_ACCESS_KEY = 'REPLSECRETVALUE';")
        .expect("send");
    p.exp_string("created connection k").expect("result");
    // Ctrl-C drops the statement being typed.
    p.send_line("DROP CONNECTION").expect("send");
    p.exp_string("..> ").expect("continuation prompt");
    p.send_control('c').expect("ctrl-c");
    p.exp_string("connsql> ").expect("fresh prompt");
    // An error is shown and the REPL goes on.
    p.send_line("DROP CONNECTION nope;").expect("send");
    p.exp_string("error[connection-not-found]").expect("error");
    // Completion of a connection name from the catalog.
    p.send("SHOW CREATE CONNECTION ").expect("send");
    p.send("\t").expect("tab");
    p.send_line(";").expect("send");
    p.exp_string("AWS_SECRET_ACCESS_KEY = '********'")
        .expect("show create, completed");
    p.exp_string("connsql> ").expect("prompt");
    let script = env.write("more.sql", "CREATE S3 CONNECTION from_file;");
    p.send_line(&format!(".read {}", script.display()))
        .expect("send");
    p.exp_string("created connection from_file")
        .expect(".read runs the file");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".format json").expect("send");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line("SHOW CONNECTIONS;").expect("send");
    p.exp_string("\"authentication\":\"keys\"")
        .expect("json output");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".quit").expect("send");
    p.exp_eof().expect("exit");
    let history =
        std::fs::read_to_string(env.path().join("data/connsql/history.txt")).expect("history file");
    assert!(history.contains("CREATE S3 CONNECTION k"), "{history}");
    assert!(history.contains("'********'"), "{history}");
    assert!(!history.contains("REPLSECRETVALUE"), "{history}");
    assert!(
        !history.contains("DROP CONNECTION\n"),
        "a cancelled statement is not kept: {history}"
    );
}

#[test]
fn ctrl_d_exits() {
    let env = Env::new();
    let mut p = env.repl(&["--no-validate"]);
    p.send_control('d').expect("ctrl-d");
    p.exp_eof().expect("exit");
}

#[test]
fn completion_reads_the_job_statement_across_lines() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION orders_lake; CREATE S3 CONNECTION other;");
    let mut p = env.repl(&["--no-validate"]);
    // After `FROM S3` only connection names are offered: `o` + Tab cannot complete to a
    // keyword or option, and `or` is the one connection it names.
    p.send_line("CREATE JOB load_orders").expect("send");
    p.exp_string("..> ").expect("continuation prompt");
    p.send("  AS COPY FROM S3 or").expect("send");
    p.send("\t").expect("tab");
    p.send_line(" LOCATION = 's3://bkt/orders/' INTO db.orders;")
        .expect("send");
    p.exp_string("created job load_orders")
        .expect("created, completed");
    p.exp_string("connsql> ").expect("prompt");
    // Job names complete after DROP JOB.
    p.send("DROP JOB load").expect("send");
    p.send("\t").expect("tab");
    p.send_line(";").expect("send");
    p.exp_string("dropped job load_orders")
        .expect("dropped, completed");
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".help").expect("send");
    p.exp_string("CONTENT_TYPE").expect("job options in .help");
    p.send_line(".quit").expect("send");
    p.exp_eof().expect("exit");
}

#[test]
fn the_repl_names_a_postgresql_catalog_without_its_password() {
    let mut env = Env::postgres();
    // The tests' server trusts loopback logins, so a password in the URL is accepted unused.
    let url = env
        .catalog
        .to_str()
        .unwrap()
        .replace("connsql@", "connsql:hunter2-secret@");
    env.catalog = url.into();
    let mut p = env.pty(&["--no-validate"], 10);
    let banner = p.exp_string("Type .help for help.").expect("banner");
    assert!(
        banner.contains("postgresql://connsql@127.0.0.1:"),
        "{banner}"
    );
    p.exp_string("connsql> ").expect("prompt");
    p.send_line("CREATE S3 CONNECTION shared;").expect("send");
    p.exp_string("created connection shared").expect("result");
    p.send_line(".catalog").expect("send");
    let shown = p.exp_string("(postgresql)").expect(".catalog");
    assert!(shown.contains("postgresql://connsql@127.0.0.1:"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    p.send_line(".quit").expect("send");
    let rest = p.exp_eof().expect("exit");
    assert!(!rest.contains("hunter2"), "{rest}");
}

/// Tab lists what the parser looks for at the cursor, as a shell does: options with their
/// one-line summaries, only words that may stand there (no `IF` after a COPY's `FROM S3`, no
/// `CONNECTIONS` or `COPY` after the connection), value words after an option's `=`.
#[test]
fn tab_lists_only_valid_words_with_summaries() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION lake; CREATE S3 CONNECTION logs;");
    let mut p = env.pty(&["--no-validate"], 10);
    // The editor reads keys once it has drawn a new line's prompt (it turns bracketed paste
    // on for each line; what is typed before, it drops).
    let prompt = |p: &mut rexpect::session::PtySession| {
        p.exp_string("\u{1b}[?2004h").expect("a new line");
        p.exp_string("connsql> ").expect("prompt");
        p.exp_string("\u{1b}[?2026l").expect("the prompt drawn");
    };
    prompt(&mut p);
    // Two presses: the first completes what the candidates share, the second lists them.
    p.send("CREATE S3 CONNECTION c AWS").expect("send");
    p.flush().expect("flush");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    p.exp_string("AWS_").expect("the shared part completed");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    p.exp_string("IAM role ARN to assume")
        .expect("AWS_ROLE with its summary");
    p.exp_string("static access key ID")
        .expect("AWS_ACCESS_KEY_ID with its summary");
    p.send_control('c').expect("ctrl-c");
    prompt(&mut p);
    p.send("CREATE JOB j AS COPY FROM S3 l").expect("send");
    p.flush().expect("flush");
    p.exp_string("S3 l").expect("echo");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    let listed = p.exp_string("logs").expect("the connections listed");
    assert!(!listed.contains("IF"), "{listed:?}");
    p.send_control('c').expect("ctrl-c");
    prompt(&mut p);
    p.send("CREATE JOB j AS COPY FROM S3 lake CO")
        .expect("send");
    p.flush().expect("flush");
    p.exp_string("lake CO").expect("echo");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    let listed = p.exp_string("CONTENT_TYPE").expect("a COPY's options");
    p.exp_string("connsql> ").expect("the line again");
    assert!(
        !listed.contains("CONNECTIONS") && !listed.contains("COPY "),
        "{listed:?}"
    );
    p.send_control('c').expect("ctrl-c");
    prompt(&mut p);
    p.send("CREATE S3 CONNECTION c READ_ONLY = T")
        .expect("send");
    p.flush().expect("flush");
    p.send("\t").expect("tab");
    p.flush().expect("flush");
    p.send_line(";").expect("send");
    p.exp_string("created connection c")
        .expect("TRUE completed");
    p.send_line(".quit").expect("send");
    p.exp_eof().expect("exit");
}

/// At a terminal, a diagnostic's source line is cut to the terminal's width (with `...`)
/// instead of wrapping, which would leave the caret under the wrong characters.
#[test]
fn a_long_statement_is_cut_to_the_terminal_under_its_caret() {
    let env = Env::new();
    let inner = env.command();
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "stty cols 60 rows 20 && exec \"$0\" \"$@\""])
        .arg(inner.get_program())
        .args(inner.get_args())
        .args([
            "--no-validate",
            "-c",
            "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' \
             EXTERNAL_ID = 'a1b2c3d4' READ_ONLY = MAYBE COMMENT = 'raw zone';",
        ]);
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn in a pty");
    let out = p.exp_eof().expect("exit").replace('\r', "");
    let lines: Vec<&str> = out.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.starts_with("1 | "))
        .unwrap_or_else(|| panic!("no source line: {out}"));
    let (shown, caret) = (lines[source], lines[source + 1]);
    assert!(
        shown.chars().count() <= 60,
        "wider than the terminal: {out}"
    );
    assert!(shown.contains("..."), "the cut is marked: {out}");
    let under = caret.find('^').expect("a caret");
    assert_eq!(&shown[under..under + 5], "MAYBE", "{out}");
}
