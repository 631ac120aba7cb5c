//! The docs and the grammar say what the option tables say: a test fails when the README's
//! option tables or the `option_name` / `job_option_name` rules of `grammar/connsql.ebnf`
//! disagree with them. The quick start and the job-runner example run.

use std::collections::BTreeSet;

use connsql::sql::job_spec::JOB_OPTIONS;
use connsql::sql::spec::CONNECTION_OPTIONS;

use crate::util::Env;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect(path)
}

fn table_names() -> BTreeSet<String> {
    CONNECTION_OPTIONS
        .iter()
        .map(|d| d.name.to_string())
        .collect()
}

fn job_table_names() -> BTreeSet<String> {
    JOB_OPTIONS.iter().map(|d| d.name.to_string()).collect()
}

/// The quoted words of the EBNF rule `name`.
fn ebnf_rule_words(name: &str) -> BTreeSet<String> {
    let ebnf = read("grammar/connsql.ebnf");
    let start = ebnf
        .find(&format!("\n{name} "))
        .unwrap_or_else(|| panic!("{name} rule"));
    let rule = &ebnf[start..];
    let rule = &rule[..rule.find(';').expect("end of rule")];
    rule.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The upper-case words in backticks of the Markdown table that starts with `header`.
fn markdown_table_names(text: &str, header: &str) -> BTreeSet<String> {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("no table {header:?}"));
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_string))
        .filter(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect()
}

#[test]
fn readme_option_table_is_the_option_table() {
    let readme = read("README.md");
    assert_eq!(
        markdown_table_names(&readme, "| option | value |"),
        table_names()
    );
}

#[test]
fn grammar_option_names_are_the_option_table() {
    assert_eq!(ebnf_rule_words("option_name"), table_names());
}

#[test]
fn readme_job_option_table_is_the_job_option_table() {
    let readme = read("README.md");
    assert_eq!(
        markdown_table_names(&readme, "| job option | value |"),
        job_table_names()
    );
}

#[test]
fn grammar_job_option_names_are_the_job_option_table() {
    assert_eq!(ebnf_rule_words("job_option_name"), job_table_names());
}

#[test]
fn the_quick_start_runs_offline() {
    let env = Env::new();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart.sql");
    let out = env
        .run(&["--no-validate", "-f", script.to_str().expect("utf-8 path")])
        .ok()
        .to_string();
    assert!(
        out.contains("created job load_orders_raw_data_from_s3"),
        "{out}"
    );
    assert!(out.contains("created job export_orders"), "{out}");
}

/// `examples/resolve_connection.rs`, built by `cargo test`, resolves a job and its connection.
#[test]
fn the_job_runner_example_resolves_a_job() {
    let env = Env::new();
    env.sql(
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab'; \
         CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://bkt/in/' INTO db.t; \
         ALTER CONNECTION lake RENAME TO lake2;",
    );
    let exe = std::env::current_exe().expect("test binary");
    let example = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("examples/resolve_connection");
    let out = std::process::Command::new(&example)
        .arg(&env.catalog)
        .arg("LOAD")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("job load (copy)"), "{stdout}");
    assert!(stdout.contains("through connection lake2"), "{stdout}");
    assert!(
        stdout.contains("assume arn:aws:iam::123456789012:role/r"),
        "{stdout}"
    );
}

/// The README's walk-through of refused writes is `examples/walkthrough.sql`, and it does what
/// the README says against the shipped `examples/emulator.json`.
#[test]
fn the_walkthrough_of_refused_writes_runs_as_the_readme_says() {
    let readme = read("README.md");
    let script = read("examples/walkthrough.sql");
    for line in script.lines().filter(|l| !l.starts_with("--")) {
        assert!(readme.contains(line), "README lacks: {line}");
    }
    let world: serde_json::Value =
        serde_json::from_str(&read("examples/emulator.json")).expect("emulator.json");
    let emulator = crate::util::Emulator::start(&world, &[]);
    let mut env = Env::new();
    env.use_emulator(
        &emulator,
        "AKIACONNSQLDEMO00001",
        "demo-secret-of-the-ci-user",
    );
    let run = env.run(&[
        "--continue-on-error",
        "-f",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/walkthrough.sql"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[read-only-connection]"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("| skipped |"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("is READ_ONLY, so jobs may not write to it")
    );
    assert!(
        run.stdout
            .contains("| ok     | put and deleted s3://lake-raw/out/"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| denied |"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("\"Resource\": \"arn:aws:s3:::lake-raw/raw/*\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 of 6 statements failed"),
        "{}",
        run.stderr
    );
}
