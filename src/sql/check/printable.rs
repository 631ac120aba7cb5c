//! Text a terminal would act on rather than show never gets into the catalog: names, locations,
//! comments and every other value of a statement are refused when they hold a C0 or C1 control
//! character or a bidirectional control (rustc refuses the latter in source for the same
//! reason: text that reorders itself reads as something it is not). Comments may span lines.

use crate::sql::ast::{Ident, OptionSetting, Options, Statement, StatementKind, Value};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::options::OptionKey;
use crate::sql::redact::{escape, is_bidi_control};
use crate::sql::span::Span;

/// Every unprintable character in the statement's names and values, one error each.
pub(super) fn check(stmt: &Statement, diags: &mut Vec<Diagnostic>) {
    use StatementKind::*;
    let mut name = |ident: &Ident| {
        diags.extend(refuse("name", &ident.value, ident.span, false));
    };
    match &stmt.kind {
        CreateConnection {
            name: n, options, ..
        } => {
            name(n);
            values(options, diags);
        }
        AlterConnection { name: n, set } => {
            name(n);
            values(set, diags);
        }
        RenameConnection { name: n, new_name } => {
            name(n);
            name(new_name);
        }
        CreateJob(job) => {
            name(&job.name);
            name(job.body.connection());
            if let crate::sql::ast::JobStatementBody::Copy { target, .. } = &job.body {
                target.parts.iter().for_each(&mut name);
            }
            values(&job.options, diags);
            match &job.body {
                crate::sql::ast::JobStatementBody::Copy { source, .. } => values(source, diags),
                crate::sql::ast::JobStatementBody::Insert { target, .. } => values(target, diags),
            }
        }
        AlterJob { name: n, set } => {
            name(n);
            values(set, diags);
        }
        _ => {
            stmt.connection_name().into_iter().for_each(&mut name);
            stmt.job_name().into_iter().for_each(&mut name);
        }
    }
}

fn values<K: OptionKey>(options: &Options<K>, diags: &mut Vec<Diagnostic>) {
    for setting in &options.0 {
        value(setting, &setting.value, diags);
    }
}

fn value<K: OptionKey>(setting: &OptionSetting<K>, v: &Value, diags: &mut Vec<Diagnostic>) {
    // A comment may run over lines; nothing else may. The option's name is only spelled out
    // for a refusal (this runs for every value of every statement).
    let lines = setting.name.is_known_as("COMMENT");
    let refuse = |text: &str, span: Span, lines: bool| {
        printable(text, lines)
            .err()
            .map(|(at, c)| refusal(&setting.name.to_string(), text, span, at, c))
    };
    match v {
        Value::String(s) | Value::Timestamp(s, _) => {
            diags.extend(refuse(&s.value, s.span, lines));
        }
        Value::List(items, _) => {
            for s in items {
                diags.extend(refuse(&s.value, s.span, lines));
            }
        }
        Value::Quoted(q, span) => diags.extend(refuse(q, *span, lines)),
        Value::Names(names, _) => {
            for name in names {
                diags.extend(refuse(&name.value, name.span, false));
            }
        }
        Value::Group(items, _) => {
            for item in items {
                value(setting, &item.value, diags);
            }
        }
        Value::Transformations(items, _) => {
            for t in items {
                diags.extend(refuse(&t.column.value, t.column.span, false));
                diags.extend(refuse(&t.expression, t.span, false));
            }
        }
        Value::Bool(..) | Value::Word(..) | Value::Number(..) | Value::Interval { .. } => {}
    }
}

/// The error for the first unprintable character of `text` (a literal at `span`), if any.
fn refuse(what: &str, text: &str, span: Span, line_breaks: bool) -> Option<Diagnostic> {
    printable(text, line_breaks)
        .err()
        .map(|(at, c)| refusal(what, text, span, at, c))
}

/// `Err` with the first unprintable character of `text` and where it is. Printable ASCII,
/// which is what almost every value holds, is passed over a byte at a time.
fn printable(text: &str, line_breaks: bool) -> Result<(), (usize, char)> {
    // `b - 0x20 < 0x5f` is `0x20 <= b < 0x7f`: one comparison a byte, folded without an early
    // exit so the compiler makes it wide.
    let bytes = text.as_bytes();
    let plain = if line_breaks {
        bytes.iter().fold(true, |ok, &b| {
            ok & (b.wrapping_sub(0x20) < 0x5f || b == b'\n' || b == b'\t')
        })
    } else {
        bytes
            .iter()
            .fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f))
    };
    if plain {
        return Ok(());
    }
    match text.char_indices().find(|&(_, c)| {
        let allowed = line_breaks && matches!(c, '\n' | '\t');
        !allowed && (c.is_control() || is_bidi_control(c))
    }) {
        Some(found) => Err(found),
        None => Ok(()),
    }
}

/// The refusal of the unprintable `c` at byte `at` of `text`.
fn refusal(what: &str, text: &str, span: Span, at: usize, c: char) -> Diagnostic {
    // The caret sits on the character when the literal has no doubled quote before it.
    let prefix = &text[..at];
    let span = if span.len() >= text.len() + 2 && !prefix.contains(['\'', '"']) {
        Span::new(span.start + 1 + at, span.start + 1 + at + c.len_utf8())
    } else {
        span
    };
    let (code, name) = describe(c);
    let mut diag = Diagnostic::error(
        DiagnosticKind::ControlCharacter,
        span,
        format!("the {what} holds {code}{name}, which a terminal acts on rather than shows"),
    )
    .with_label(format!("{} here", escape(c)));
    diag = if is_bidi_control(c) {
        diag.with_help("a bidirectional control reorders the text around it, so it reads as something it is not: remove it")
    } else {
        diag.with_help("remove it; connsql keeps names and values printable")
    };
    diag
}

/// `U+001B` and ` (ESCAPE)`: a code point and, for the common ones, its name.
fn describe(c: char) -> (String, &'static str) {
    let name = match c {
        '\0' => " (NULL)",
        '\u{7}' => " (BELL)",
        '\u{8}' => " (BACKSPACE)",
        '\t' => " (TAB)",
        '\n' => " (LINE FEED)",
        '\r' => " (CARRIAGE RETURN)",
        '\u{1b}' => " (ESCAPE)",
        '\u{7f}' => " (DELETE)",
        '\u{9b}' => " (CONTROL SEQUENCE INTRODUCER)",
        '\u{200e}' => " (LEFT-TO-RIGHT MARK)",
        '\u{200f}' => " (RIGHT-TO-LEFT MARK)",
        '\u{202a}' => " (LEFT-TO-RIGHT EMBEDDING)",
        '\u{202b}' => " (RIGHT-TO-LEFT EMBEDDING)",
        '\u{202c}' => " (POP DIRECTIONAL FORMATTING)",
        '\u{202d}' => " (LEFT-TO-RIGHT OVERRIDE)",
        '\u{202e}' => " (RIGHT-TO-LEFT OVERRIDE)",
        '\u{2066}' => " (LEFT-TO-RIGHT ISOLATE)",
        '\u{2067}' => " (RIGHT-TO-LEFT ISOLATE)",
        '\u{2068}' => " (FIRST STRONG ISOLATE)",
        '\u{2069}' => " (POP DIRECTIONAL ISOLATE)",
        _ => "",
    };
    (format!("U+{:04X}", c as u32), name)
}

#[cfg(test)]
mod tests {
    use crate::sql::check::check;
    use crate::sql::parse::parse;

    fn codes(sql: &str) -> Vec<String> {
        let (stmts, _) = parse(sql);
        match check(&stmts[0]) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|d| d.message.clone()).collect(),
        }
    }

    #[test]
    fn unprintable_names_and_values_are_refused() {
        assert_eq!(
            codes("CREATE S3 CONNECTION \"a\u{1b}[2J\" COMMENT = 'x'"),
            ["the name holds U+001B (ESCAPE), which a terminal acts on rather than shows"]
        );
        assert_eq!(
            codes("CREATE S3 CONNECTION c COMMENT = 'abc\u{202e}def'"),
            [
                "the COMMENT holds U+202E (RIGHT-TO-LEFT OVERRIDE), which a terminal acts on rather than shows"
            ]
        );
        assert!(codes("CREATE S3 CONNECTION c COMMENT = 'two\nlines'").is_empty());
        assert_eq!(
            codes(
                "CREATE JOB j AS COPY FROM S3 c LOCATION = 's3://bkt/a\u{9b}b/' INTO db.\"t\u{7}\""
            )
            .len(),
            2
        );
    }
}
