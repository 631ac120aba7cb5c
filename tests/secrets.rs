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
