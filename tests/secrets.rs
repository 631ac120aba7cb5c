//! Secret values never reach stdout, stderr, the history (catalog and REPL) or SHOW CREATE.

use crate::util::Env;

const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRET";
const SSE_C: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "{what} shows the secret access key:\n{text}"
    );
    assert!(!text.contains(SSE_C), "{what} shows the SSE-C key:\n{text}");
}

#[test]
fn secrets_never_appear() {
    let env = Env::new();
    let create = format!(
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '{SECRET}' \
         ENCRYPTION_CUSTOMER_MANAGED_KEY = '{SSE_C}'"
    );
    let mut outputs = Vec::new();
    for format in ["table", "json", "csv"] {
        for sql in [
            create.as_str(),
            "SHOW CONNECTIONS",
            "DESCRIBE CONNECTION k",
            "SHOW CREATE CONNECTION k",
            "SHOW S3 POLICY FOR CONNECTION k",
        ] {
            let run = env.run(&[
                "--no-validate",
                "--format",
                format,
                "--continue-on-error",
                "-c",
                sql,
            ]);
            outputs.push(run.stdout);
            outputs.push(run.stderr);
        }
    }
    // Failing statements that carry the secret: a check error, a syntax error after the
    // secret, an unterminated string holding it, and a duplicate.
    for bad in [
        format!(
            "CREATE S3 CONNECTION k2 AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = '{SECRET}' BOGUS = 1"
        ),
        format!("CREATE S3 CONNECTION k3 AWS_SECRET_ACCESS_KEY = '{SECRET}' AWS_ACCESS_KEY_ID 'x'"),
        format!("CREATE S3 CONNECTION k4 AWS_SECRET_ACCESS_KEY = '{SECRET}"),
        create.clone(),
        format!(
            "ALTER S3 CONNECTION k SET AWS_SECRET_ACCESS_KEY = '{SECRET}' SET EXTERNAL_ID = 'xy'"
        ),
    ] {
        let run = env.run(&["--no-validate", "-c", &bad]);
        assert_ne!(run.code, 0, "{bad}");
        outputs.push(run.stdout);
        outputs.push(run.stderr);
    }
    for text in &outputs {
        assert_clean("output", text);
    }
    let show_create = env.sql("SHOW CREATE CONNECTION k");
    assert!(
        show_create.contains("AWS_SECRET_ACCESS_KEY = '********'"),
        "{show_create}"
    );
    assert!(
        show_create.contains("ENCRYPTION_CUSTOMER_MANAGED_KEY = '********'"),
        "{show_create}"
    );
    let describe = env.sql("DESCRIBE CONNECTION k");
    assert!(describe.contains("********"), "{describe}");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    for entry in catalog.history().expect("history") {
        assert_clean("history", &entry.statement);
    }
}

/// The shapes a hurried user types: the secret never shows in any output, whatever the format.
#[test]
fn malformed_statements_never_show_the_secret() {
    let env = Env::new();
    let shapes = [
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY '{SECRET}'"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY == '{SECRET}'"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY = ('{SECRET}')"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACESS_KEY = '{SECRET}'"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY = \"{SECRET}\""),
        format!("CREATE S3 CONNECTION k COMMENT = 'open AWS_SECRET_ACCESS_KEY = '{SECRET}'"),
        format!("CREATE S3 CONNECTION \"open AWS_SECRET_ACCESS_KEY = '{SECRET}'"),
        format!("CREATE S3 CONNECTION k ENCRYPTION_CUSTOMER_MANAGED_KEY '{SSE_C}'"),
        format!("CREATE S3 CONNECTION k ENCRYPTION_CUSTOMER_MANAGED_KEY = \"{SSE_C}\""),
    ];
    for sql in &shapes {
        for format in ["table", "json", "csv"] {
            let run = env.run(&["--no-validate", "--format", format, "-c", sql]);
            assert_ne!(run.code, 0, "{sql}");
            assert_clean(sql, &run.stdout);
            assert_clean(sql, &run.stderr);
        }
    }
}

/// The first shapes through the REPL: its history file never holds the secret either.
#[test]
fn malformed_statements_stay_out_of_the_history_file() {
    let env = Env::new();
    let mut p = env.pty(&["--no-validate"], 10);
    for sql in [
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY '{SECRET}';"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY == '{SECRET}';"),
        format!("CREATE S3 CONNECTION k AWS_SECRET_ACCESS_KEY = ('{SECRET}');"),
    ] {
        p.exp_string("connsql> ").expect("prompt");
        p.send_line(&sql).expect("send");
        p.exp_string("error[").expect("an error");
    }
    p.exp_string("connsql> ").expect("prompt");
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
    let history =
        std::fs::read_to_string(env.path().join("data/connsql/history.txt")).expect("history");
    assert_clean("history", &history);
}

mod mutations {
    //! Any statement with a secret in its place, mutated by deleting, duplicating or replacing
    //! one token, never shows the secret: not in diagnostics (messages or source lines), not in
    //! the history text, not in the printed statement. (A secret option's name replaced by a
    //! name that is not a secret's, `COMMENT = '…'` or `BOGUS = '…'`, makes the value that
    //! option's, shown as such, since only secrets are masked: those mutations are left out.)

    use connsql::input::StatementReader;
    use connsql::sql::lex::{Piece, walk};
    use connsql::sql::redact::redact_text;
    use connsql::sql::render::{Drawing, render_all};
    use connsql::sql::{Redacted, check};
    use proptest::prelude::*;

    const MARKER: &str = "Mk7Qz3Wp9Lx2Vb8Ny4Hd";

    const TEMPLATES: &[&str] = &[
        "CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'M' COMMENT = 'c';",
        "CREATE S3 CONNECTION k ENCRYPTION_CUSTOMER_MANAGED_KEY = 'M' READ_ONLY = TRUE;",
        "ALTER S3 CONNECTION k SET AWS_SECRET_ACCESS_KEY = 'M' SET COMMENT = 'x';",
        "CREATE OR REPLACE S3 CONNECTION \"My k\" AWS_SECRET_ACCESS_KEY = 'M' AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';",
    ];

    const JUNK: &[&str] = &[
        "=",
        "==",
        "(",
        ")",
        ",",
        ";",
        "'",
        "\"",
        "'x'",
        "\"q\"",
        "AWS_SECRET_ACESS_KEY",
        "BOGUS",
        "1",
        "SET",
        "COMMENT",
        "$",
        "--",
        "/*",
        "READ_ONLY",
        "TRUE",
        "CONNECTION",
    ];

    /// The template's tokens (blanks dropped), with the secret in its place.
    fn tokens(template: &str) -> Vec<String> {
        let text = template.replace("'M'", &format!("'{MARKER}'"));
        walk(&text, 0)
            .filter(|w| w.piece != Piece::Blank)
            .map(|w| w.text.to_string())
            .collect()
    }

    /// The mutated text, or `None` when the mutation renamed the secret option to one that
    /// is not secret.
    fn mutated(template: usize, at: usize, op: usize, junk: usize) -> Option<String> {
        use connsql::sql::ConnectionOption;
        use connsql::sql::options::OptionKey;
        let mut t = tokens(TEMPLATES[template]);
        let at = at % t.len();
        let replacement = JUNK[junk % JUNK.len()];
        let names_secret = |w: &str| {
            ConnectionOption::from_name(w).is_some_and(|k| k.is_secret())
                || (ConnectionOption::from_name(w).is_none()
                    && connsql::sql::spec::looks_like_secret_name(w))
        };
        let is_name = |w: &str| {
            w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && w.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        };
        if op % 3 == 2
            && ConnectionOption::from_name(&t[at]).is_some_and(|k| k.is_secret())
            && is_name(replacement)
            && !names_secret(replacement)
        {
            return None;
        }
        match op % 3 {
            0 => {
                t.remove(at);
            }
            1 => {
                let copy = t[at].clone();
                t.insert(at, copy);
            }
            _ => t[at] = replacement.to_string(),
        }
        Some(t.join(" "))
    }

    /// Everything a user could see of `text`, as the binary would show it.
    fn shown(text: &str) -> String {
        let mut out = redact_text(text);
        for piece in StatementReader::new(text.as_bytes(), "t.sql") {
            let diags = match &piece.result {
                Ok(stmt) => {
                    out.push_str(&Redacted(stmt).to_string());
                    match check(stmt) {
                        Ok((_, warnings)) => warnings,
                        Err(errors) => errors,
                    }
                }
                Err(d) => vec![d.clone()],
            };
            out.push_str(&render_all(&diags, &piece.source(), Drawing::PLAIN));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn one_token_off_never_shows_the_secret(
            template in 0..TEMPLATES.len(),
            at in 0usize..64,
            op in 0usize..3,
            junk in 0usize..64,
        ) {
            let text = mutated(template, at, op, junk);
            prop_assume!(text.is_some());
            let text = text.unwrap_or_default();
            let seen = shown(&text);
            prop_assert!(!seen.contains(MARKER), "{}\n{}", text, seen);
        }
    }

    #[test]
    fn the_secret_is_where_the_test_thinks() {
        let text = mutated(0, 0, 1, 0).expect("a duplicate");
        assert!(text.contains(MARKER), "{text}");
        let plain = shown(&text);
        assert!(!plain.contains(MARKER), "{plain}");
    }
}

/// Every shape a secret may be written in, after every spelling of a secret option, through
/// `-c`, `-f` and stdin in every format, and through the REPL into its history file: no piece
/// of any secret shows. (A `;` outside quotes ends a statement, so no unquoted shape holds
/// one; a dollar-quoted body may.)
#[test]
fn unquoted_and_oddly_quoted_secrets_are_masked_through_every_route() {
    const SHAPES: &[&str] = &[
        "= '{m}'",
        "= {m}",
        "= wJalrXUtnFEMI/{m}+bPxRfiCY==",
        "= {m}/K7MDENG+bPxRfiCY",
        "=\n    '{m}'",
        "=\n{m}",
        "= $${m}$$",
        "= $tag${m};and more$tag$",
        "= `{m}`",
        "= [{m}]",
        "= \"{m}\"",
        "= ('{m}', 'second')",
        "== '{m}'",
        "= '{m}' junk",
        "= -- a note\n '{m}'",
        "= /* c */ {m}",
        "'{m}'",
        "{m}",
        "= 'it''s {m}'",
    ];
    const OPTIONS: &[&str] = &[
        "AWS_SECRET_ACCESS_KEY",
        "ENCRYPTION_CUSTOMER_MANAGED_KEY",
        "aws_secret_access_key",
        "AWS_SECRET_ACESS_KEY",
    ];
    let marker = |i: usize| format!("Mk{i:03}Zq9Lx");
    let mut statements = Vec::new();
    for (s, shape) in SHAPES.iter().enumerate() {
        for (o, option) in OPTIONS.iter().enumerate() {
            let i = s * OPTIONS.len() + o;
            let value = shape.replace("{m}", &marker(i));
            statements.push(format!(
                "CREATE S3 CONNECTION c{i} AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' {option} {value} COMMENT = 'after';"
            ));
            statements.push(format!(
                "ALTER S3 CONNECTION c{i} SET {option} {value} SET COMMENT = 'after';"
            ));
        }
    }
    // A string never closed swallows the rest of the input: it goes last.
    statements.push(format!(
        "CREATE S3 CONNECTION open AWS_SECRET_ACCESS_KEY = '{}",
        marker(999)
    ));
    let script = statements.join("\n");
    let assert_masked = |what: &str, text: &str| {
        assert!(
            !text.contains("Zq9Lx"),
            "{what} shows a secret:\n{}",
            text.lines()
                .filter(|l| l.contains("Zq9Lx"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    };
    let env = Env::new();
    let file = env.write("shapes.sql", &script);
    for format in ["table", "json", "csv"] {
        let common = ["--no-validate", "--continue-on-error", "--format", format];
        let mut args = common.to_vec();
        args.extend(["-c", script.as_str()]);
        let run = env.run(&args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("error["), "{}", run.stderr);
        assert_masked(
            &format!("-c, {format}"),
            &format!("{}{}", run.stdout, run.stderr),
        );
        let mut args = common.to_vec();
        args.extend(["-f", file.to_str().expect("utf-8 path")]);
        let run = env.run(&args);
        assert_masked(
            &format!("-f, {format}"),
            &format!("{}{}", run.stdout, run.stderr),
        );
        let run = env.run_stdin(&common, &script);
        assert_masked(
            &format!("stdin, {format}"),
            &format!("{}{}", run.stdout, run.stderr),
        );
    }
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    for entry in catalog.history().expect("history") {
        assert_masked("the catalog's history", &entry.statement);
    }

    // The REPL's history file gets each submitted statement.
    let env = Env::new();
    let mut p = env.pty(&["--no-validate"], 30);
    p.exp_string("connsql> ").expect("prompt");
    // Each line once the editor reads again (it turns bracketed paste on for each line it
    // reads; redrawing a line does not): typed-ahead input is dropped by the editor.
    // One statement per shape, each with another spelling and kind.
    let per_shape = OPTIONS.len() * 2;
    let typed = statements[..statements.len() - 1]
        .iter()
        .enumerate()
        .filter(|(i, _)| i % per_shape == (i / per_shape) % per_shape)
        .map(|(_, sql)| sql);
    for sql in typed {
        for line in sql.lines() {
            p.send_line(line).expect("send");
            p.exp_string("\u{1b}[?2004h")
                .expect("the next line is read");
        }
    }
    p.send_line(".quit").expect("quit");
    p.exp_eof().expect("exit");
    let history =
        std::fs::read_to_string(env.path().join("data/connsql/history.txt")).expect("history");
    assert!(history.contains("ALTER S3 CONNECTION c4"), "{history}");
    assert_masked("the REPL's history file", &history);
}

/// Errors show what is not a secret: names, ARNs, external IDs, numbers and the values of
/// other options, so the user can fix them (SPEC §5: only secrets are masked).
#[test]
fn errors_show_the_values_that_are_not_secrets() {
    let env = Env::new();
    let cases = [
        // A missing `;`: the next statement runs into this one.
        (
            "CREATE S3 CONNECTION a AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ext-1'\nCREATE S3 CONNECTION b;",
            &["'arn:aws:iam::123456789012:role/r'", "'ext-1'"][..],
        ),
        // A missing `=`.
        (
            "CREATE S3 CONNECTION a AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID 'ext-1';",
            &["EXTERNAL_ID 'ext-1'"][..],
        ),
        // Values of job options, known or not.
        (
            "CREATE JOB j COMPUTE_CLUSTER = \"Default Compute\" NOT_AN_OPTION = ('ALLOW_CARTESIAN_PRODUCT') LATENCY = 1 DAY AS COPY FROM S3 missing LOCATION = 's3://bkt/p/' INTO db.t;",
            &[
                "\"Default Compute\"",
                "('ALLOW_CARTESIAN_PRODUCT')",
                "1 DAY",
            ][..],
        ),
        // A word the message quotes.
        (
            "CREATE S3 CONNECTION a COMMENT = 'x' event_id;",
            &["EVENT_ID"][..],
        ),
    ];
    for (sql, shown) in cases {
        let run = env.run(&["--no-validate", "-c", sql]);
        assert_eq!(run.code, 1, "{sql}\n{}", run.stderr);
        assert!(!run.stderr.contains("********"), "{sql}\n{}", run.stderr);
        for piece in shown {
            assert!(
                run.stderr.contains(piece),
                "{sql}: {piece} not shown\n{}",
                run.stderr
            );
        }
    }
}

mod unprintable {
    //! Any character a terminal acts on, anywhere in a name, location or comment, is refused
    //! at check time; and whatever reaches a diagnostic is escaped.

    use connsql::sql::diagnostic::Source;
    use connsql::sql::render::{Drawing, render_all};
    use connsql::sql::{check, parse};
    use proptest::prelude::*;

    fn unprintable() -> impl Strategy<Value = char> {
        prop_oneof![
            (0u32..0x20).prop_filter("not a line break or tab", |c| ![9, 10, 13].contains(c)),
            Just(0x7f),
            0x80u32..0xa0,
            0x202au32..=0x202e,
            0x2066u32..=0x2069,
        ]
        .prop_map(|c| char::from_u32(c).unwrap_or('\u{1b}'))
    }

    proptest! {
        #[test]
        fn unprintable_characters_are_refused_and_never_shown(
            c in unprintable(),
            slot in 0usize..5,
            before in "[a-z]{0,6}",
            after in "[a-z]{0,6}",
        ) {
            let text = format!("{before}{c}{after}");
            let sql = match slot {
                0 => format!("CREATE S3 CONNECTION \"{text}\""),
                1 => format!("CREATE S3 CONNECTION c COMMENT = '{text}'"),
                2 => format!("CREATE S3 CONNECTION c PATH_DISPLAY_FILTER = 's3://bkt/{text}/'"),
                3 => format!("ALTER CONNECTION c RENAME TO \"{text}\""),
                _ => format!("CREATE JOB j AS COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.\"{text}\""),
            };
            let (stmts, diags) = parse(&sql);
            prop_assert!(diags.is_empty(), "{:?}", diags);
            let errors = check(&stmts[0]).expect_err("refused");
            prop_assert!(errors.iter().any(|d| d.kind.code() == "control-character"), "{:?}", errors);
            let shown = render_all(&errors, &Source::new("t.sql", &sql), Drawing::PLAIN);
            prop_assert!(!shown.contains(c), "{:?}", shown);
        }
    }
}

/// A job's group settings are kept as written and printed back, so one named like a secret is
/// refused, and its value shows nowhere.
#[test]
fn a_secret_in_a_jobs_group_setting_is_refused_and_never_shown() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION lake");
    for sql in [
        "CREATE JOB j CONTENT_TYPE = (TYPE = AVRO_SCHEMA_REGISTRY SCHEMA_REGISTRY_PASSWORD = 'SKmarkerJOB') \
         AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.t",
        "CREATE JOB j FILE_FORMAT = (TYPE = CSV SECRET = 'SKmarkerJOB') \
         AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/' SELECT 1",
    ] {
        let run = env.run(&["--no-validate", "-c", sql]);
        let err = run.fails(1);
        assert!(err.contains("looks like a secret"), "{err}");
        assert!(
            !err.contains("SKmarkerJOB"),
            "the refusal shows the value: {err}"
        );
    }
    let jobs = env.run(&["--format", "json", "-c", "SHOW JOBS"]);
    assert!(
        !jobs.ok().contains(r#""name":"j""#),
        "nothing was stored: {}",
        jobs.stdout
    );
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    for entry in catalog.history().expect("history") {
        assert!(
            !entry.statement.contains("SKmarkerJOB"),
            "{}",
            entry.statement
        );
    }
}
