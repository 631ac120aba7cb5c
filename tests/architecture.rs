//! ARCHITECTURE.md's invariants that the source shows, checked by reading the source: which
//! layer may name which crate, who prints, and that neither `sql/`'s modules nor the crate's
//! top-level modules import each other in a circle. Test modules are left out: a test may
//! reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A source file: its path under `src/` (with `/`) and its text without its test module.
struct File {
    path: String,
    text: String,
}

fn files() -> Vec<File> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    let mut files: Vec<File> = paths
        .into_iter()
        .filter(|p| !p.ends_with("session/tests.rs"))
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_string(),
                None => text,
            };
            let path = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            File { path, text }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(files.len() > 50, "the source tree was not found");
    files
}

fn in_dir<'a>(files: &'a [File], dirs: &[&str]) -> impl Iterator<Item = &'a File> {
    let dirs: Vec<String> = dirs.iter().map(|d| d.to_string()).collect();
    files
        .iter()
        .filter(move |f| dirs.iter().any(|d| f.path == *d || f.path.starts_with(d)))
}

/// Where `needle` occurs as a path or name of its own (not inside a longer identifier).
fn mentions(text: &str, needle: &str) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(needle)
        .find(|(at, _)| !text[..*at].chars().next_back().is_some_and(ident))
        .map(|(at, _)| text[..at].lines().count())
}

/// Every file (outside `allowed`) that mentions one of `needles`, as `path:line needle`.
fn offenders(files: &[File], allowed: &[&str], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        if allowed
            .iter()
            .any(|a| f.path == *a || f.path.starts_with(a))
        {
            continue;
        }
        for needle in needles {
            if let Some(line) = mentions(&f.text, needle) {
                found.push(format!("src/{}:{line} {needle}", f.path));
            }
        }
    }
    found
}

/// The first path segments after every `prefix` in `text` (`prefix{a, b::c}` gives a and b).
fn segments_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        if text[..at].chars().next_back().is_some_and(ident) {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group only.
            let (mut depth, mut word) = (0, String::new());
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    c if depth == 0 && ident(c) => word.push(c),
                    ',' if depth == 0 => {
                        out.extend(
                            std::mem::take(&mut word)
                                .split_whitespace()
                                .map(String::from),
                        );
                    }
                    ':' if depth == 0 && !word.is_empty() => {
                        out.insert(std::mem::take(&mut word));
                        depth += 100; // the rest of this path is below the segment
                    }
                    _ => {}
                }
                if depth >= 100 && c == ',' {
                    depth -= 100;
                }
            }
            if !word.is_empty() {
                out.insert(word);
            }
        } else {
            let word: String = rest.chars().take_while(|c| ident(*c)).collect();
            if !word.is_empty() {
                out.insert(word);
            }
        }
    }
    out.retain(|w| w != "self" && w != "super" && w != "crate");
    out
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let from = path.iter().position(|n| n == node).unwrap();
                let mut found = path[from..].to_vec();
                found.push(node.to_string());
                return Some(found);
            }
            _ => {}
        }
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, state, path) {
                return Some(found);
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(found) = visit(node, graph, &mut state, &mut Vec::new()) {
            return Some(found);
        }
    }
    None
}

/// The module of `dir` a file belongs to: `sql/check/job.rs` → `check`, `sql/lex.rs` → `lex`.
fn module_of(path: &str, dir: &str) -> Option<String> {
    let rest = path.strip_prefix(dir)?;
    let first = rest.split('/').next()?;
    Some(first.trim_end_matches(".rs").to_string())
}

#[test]
fn sql_does_no_io_and_imports_only_itself() {
    let files = files();
    let sql: Vec<File> = in_dir(&files, &["sql/"])
        .map(|f| File {
            path: f.path.clone(),
            // The option tables' macro is exported at the crate's root; it is sql/'s own.
            text: f.text.replace("crate::option_key!", "option_key!"),
        })
        .collect();
    let mut found = offenders(
        &sql,
        &[],
        &[
            "std::fs",
            "std::net",
            "std::process",
            "std::env",
            "stdin()",
            "stdout()",
            "stderr()",
            "println!",
            "eprintln!",
            "rusqlite",
            "postgres",
            "aws_sdk",
            "aws_config",
            "aws_smithy",
            "tokio",
        ],
    );
    for f in &sql {
        for module in segments_after(&f.text, "crate::") {
            if module != "sql" {
                found.push(format!("src/{} imports crate::{module}", f.path));
            }
        }
    }
    assert!(found.is_empty(), "sql/ reaches outside itself: {found:#?}");
}

#[test]
fn only_aws_knows_the_aws_sdk_and_tokio() {
    let found = offenders(
        &files(),
        &["aws/", "bin/"],
        &[
            "aws_sdk_",
            "aws_config",
            "aws_smithy_",
            "aws_types",
            "aws_credential_types",
            "aws_runtime",
            "tokio::",
        ],
    );
    assert!(found.is_empty(), "the AWS SDK outside aws/: {found:#?}");
}

#[test]
fn only_the_catalog_knows_sql_engines() {
    let found = offenders(
        &files(),
        &["catalog/"],
        &["rusqlite", "postgres::", "tokio_postgres"],
    );
    assert!(
        found.is_empty(),
        "a database crate outside catalog/: {found:#?}"
    );
}

#[test]
fn the_session_stays_behind_the_validation_seam_and_returns_data() {
    let files = files();
    let mut found = Vec::new();
    for f in in_dir(&files, &["session/"]) {
        for module in segments_after(&f.text, "crate::") {
            if ["aws", "output", "repl", "batch", "cli"].contains(&module.as_str()) {
                found.push(format!("src/{} imports crate::{module}", f.path));
            }
        }
    }
    assert!(
        found.is_empty(),
        "session/ reaches past its seams: {found:#?}"
    );
}

#[test]
fn drivers_hold_no_grammar_and_no_catalog() {
    let files = files();
    let drivers: Vec<&File> = in_dir(&files, &["batch.rs", "repl/"]).collect();
    assert!(drivers.len() >= 3);
    let mut found = Vec::new();
    for f in drivers {
        for module in segments_after(&f.text, "crate::") {
            if module == "catalog" {
                found.push(format!("src/{} imports crate::catalog", f.path));
            }
        }
        for module in segments_after(&f.text, "crate::sql::") {
            if ["lex", "parse", "words", "split", "check", "select"].contains(&module.as_str()) {
                found.push(format!("src/{} imports crate::sql::{module}", f.path));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a driver holds grammar or SQL: {found:#?}"
    );
}

#[test]
fn only_output_and_the_drivers_print() {
    let found = offenders(
        &files(),
        &["output/", "repl/", "main.rs", "bin/"],
        &["println!", "eprintln!", "print!", "eprint!"],
    );
    assert!(
        found.is_empty(),
        "printing outside output/ and the drivers: {found:#?}"
    );
}

#[test]
fn the_modules_of_sql_import_no_circle() {
    let files = files();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in in_dir(&files, &["sql/"]) {
        let Some(module) = module_of(&f.path, "sql/") else {
            continue;
        };
        if module == "mod" {
            continue;
        }
        let nested = f.path.matches('/').count() == 2;
        let top = if nested && !f.path.ends_with("/mod.rs") {
            segments_after(&f.text, "super::super::")
        } else {
            segments_after(&f.text, "super::")
        };
        let edges = graph.entry(module.clone()).or_default();
        for to in top
            .into_iter()
            .chain(segments_after(&f.text, "crate::sql::"))
        {
            if to != module && to != "super" {
                edges.insert(to);
            }
        }
    }
    assert!(graph.len() > 15, "{graph:?}");
    assert_eq!(cycle(&graph), None, "sql/'s modules import in a circle");
}

#[test]
fn the_crates_top_level_modules_import_no_circle() {
    let files = files();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        if f.path.starts_with("bin/") || f.path == "main.rs" || f.path == "lib.rs" {
            continue;
        }
        let module = module_of(&f.path, "").unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for to in segments_after(&f.text, "crate::") {
            if to != module && to != "option_key" {
                edges.insert(to);
            }
        }
    }
    assert!(graph.len() > 10, "{graph:?}");
    assert_eq!(
        cycle(&graph),
        None,
        "the crate's modules import in a circle"
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(
        segments_after(
            "use crate::{a::b, c, d::{e, f}};\nuse crate::g::h;",
            "crate::"
        ),
        ["a", "c", "d", "g"].map(String::from).into()
    );
    assert!(mentions("let x = tokio::spawn", "tokio::").is_some());
    assert!(mentions("tokio_postgres_rustls::X", "tokio::").is_none());
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert!(cycle(&graph).is_some());
}
