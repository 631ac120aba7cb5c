//! Fuzzes the language layer: parse, check, print, re-parse, redact and render diagnostics
//! of arbitrary bytes, alone and spliced into job statements (the SELECT of an INSERT job,
//! the options of a COPY job), so that malformed SELECTs reach sqlparser and its error
//! mapping. Nothing may panic, and printing must round-trip.

#![no_main]

use connsql::sql::diagnostic::{Source, render};
use connsql::sql::{Redacted, check, parse, redact};
use libfuzzer_sys::fuzz_target;

/// Where the input goes: as it is, or into one slot of a job statement.
const TEMPLATES: &[(&str, &str)] = &[
    ("", ""),
    ("CREATE JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' SELECT ", ""),
    ("CREATE SYNC JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' MAP_COLUMNS_BY_NAME ", ";"),
    ("CREATE JOB j ", " AS COPY FROM S3 c LOCATION = 's3://b/p/' INTO db.t;"),
    ("CREATE JOB j AS COPY FROM S3 c ", " INTO db.t"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(part) = std::str::from_utf8(rest) else { return };
    let (before, after) = TEMPLATES[usize::from(pick) % TEMPLATES.len()];
    let text = format!("{before}{part}{after}");
    let text = text.as_str();
    let (stmts, diags) = parse(text);
    let source = Source::new("fuzz.sql", text);
    for d in &diags {
        let _ = render(d, &source, false);
    }
    for stmt in &stmts {
        match check(stmt) {
            Ok((_, warnings)) => warnings.iter().for_each(|w| drop(render(w, &source, false))),
            Err(errors) => errors.iter().for_each(|e| drop(render(e, &source, false))),
        }
        let printed = stmt.to_string();
        let (again, more) = parse(&printed);
        assert!(more.is_empty() && again.len() == 1 && again[0] == *stmt, "round trip failed: {printed}");
        let _ = Redacted(stmt).to_string();
    }
    let _ = redact::redact_text(text);
    let failures = redact::parse_failures(text);
    let ranges = redact::secret_ranges(text, &failures, redact::Comments::InErrors(&failures));
    let _ = redact::shown(text, &ranges);
    for d in &diags {
        let _ = render(&redact::scrub(d, text, &ranges), &source, false);
    }
});
