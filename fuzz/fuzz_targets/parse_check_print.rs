//! Fuzzes the language layer: parse, check, print, re-parse, redact and render diagnostics
//! of arbitrary bytes, alone and spliced into job statements (the SELECT of an INSERT job,
//! the options of a COPY job), so that malformed SELECTs reach sqlparser and its error
//! mapping. Nothing may panic, and printing must round-trip. Input given as a secret's value
//! (an `AWS_SECRET_ACCESS_KEY` of any shape without blanks or `;`) never shows, and no
//! rendered diagnostic holds a control character a terminal would act on.

#![no_main]

use connsql::sql::diagnostic::Source;
use connsql::sql::render::render;
use connsql::sql::{Redacted, check, parse, redact};
use libfuzzer_sys::fuzz_target;

/// Where the input goes: as it is, or into one slot of a job statement.
const TEMPLATES: &[(&str, &str)] = &[
    ("", ""),
    ("CREATE JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' SELECT ", ""),
    ("CREATE SYNC JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' MAP_COLUMNS_BY_NAME ", ";"),
    ("CREATE JOB j ", " AS COPY FROM S3 c LOCATION = 's3://b/p/' INTO db.t;"),
    ("CREATE JOB j AS COPY FROM S3 c ", " INTO db.t"),
    (SECRET_BEFORE, " COMMENT = 'x';"),
];

const SECRET_BEFORE: &str = "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = ";

/// Whether `part`, as a secret's value, is one piece that masking must cover whole: no blank,
/// `;` or comment inside it, and long enough not to occur elsewhere by chance.
fn one_secret_piece(part: &str) -> bool {
    part.chars().count() >= 8
        && !part.chars().any(|c| c.is_whitespace() || c == ';' || c.is_control())
        && !part.contains("--")
        && !part.contains("/*")
        && !part.contains(['\'', '"', '$'])
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(part) = std::str::from_utf8(rest) else { return };
    let (before, after) = TEMPLATES[usize::from(pick) % TEMPLATES.len()];
    let text = format!("{before}{part}{after}");
    let text = text.as_str();
    let secret = (before == SECRET_BEFORE && one_secret_piece(part)).then_some(part);
    let (stmts, diags) = parse(text);
    let source = Source::new("fuzz.sql", text);
    let shown = |rendered: String| {
        assert!(
            !rendered.chars().any(redact::is_control),
            "a control character reached a diagnostic: {rendered:?}"
        );
        if let Some(secret) = secret {
            assert!(!rendered.contains(secret), "the secret shows: {rendered}");
        }
    };
    for d in &diags {
        shown(render(d, &source, false));
    }
    for stmt in &stmts {
        match check(stmt) {
            Ok((_, warnings)) => warnings.iter().for_each(|w| shown(render(w, &source, false))),
            Err(errors) => errors.iter().for_each(|e| shown(render(e, &source, false))),
        }
        let printed = stmt.to_string();
        let (again, more) = parse(&printed);
        assert!(more.is_empty() && again.len() == 1 && again[0] == *stmt, "round trip failed: {printed}");
            let redacted = Redacted(stmt).to_string();
        if let Some(secret) = secret {
            assert!(!redacted.contains(secret), "the secret shows: {redacted}");
        }
    }
    let history = redact::redact_text(text);
    let ranges = redact::secret_ranges(text);
    let masked = redact::shown(text, &ranges);
    if let Some(secret) = secret {
        assert!(!history.contains(secret), "the secret shows: {history}");
        assert!(!masked.text.contains(secret), "the secret shows: {}", masked.text);
    }
});
