//! Fuzzes the language layer: parse, check, print, re-parse, redact and render diagnostics
//! of arbitrary bytes. Nothing may panic, and printing must round-trip.

#![no_main]

use connsql::sql::diagnostic::{Source, render};
use connsql::sql::{Redacted, check, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
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
    let _ = connsql::sql::redact::redact_text(text);
    let _ = connsql::sql::redact::mask_in_place(text);
});
