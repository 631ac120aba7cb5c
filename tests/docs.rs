//! The docs and the grammar say what the option tables say: a test fails when the README's
//! option table or the `option_name` rule of `grammar/connsql.ebnf` disagrees with them.

use std::collections::BTreeSet;

use connsql::sql::spec::CONNECTION_OPTIONS;

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
    let ebnf = read("grammar/connsql.ebnf");
    let start = ebnf.find("\noption_name ").expect("option_name rule");
    let rule = &ebnf[start..];
    let rule = &rule[..rule.find(';').expect("end of rule")];
    let names: BTreeSet<String> = rule
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert_eq!(names, table_names());
}
