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
    let mut cmd = env.command();
    cmd.arg("--no-validate");
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn in a pty");
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
    //! the history text, not in the printed statement. (A secret option's name replaced by the
    //! name of an option that is not secret, `COMMENT = '…'`, makes the value that option's,
    //! shown as such: those mutations are left out.)

    use connsql::input::StatementReader;
    use connsql::sql::diagnostic::render_all;
    use connsql::sql::lex::{Piece, walk};
    use connsql::sql::redact::redact_text;
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
        if op % 3 == 2
            && ConnectionOption::from_name(&t[at]).is_some_and(|k| k.is_secret())
            && ConnectionOption::from_name(replacement).is_some_and(|k| !k.is_secret())
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
            out.push_str(&render_all(&diags, &piece.source(), false));
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
