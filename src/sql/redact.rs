//! Keeps secrets out of raw statement text shown to people: the REPL's history file, the source
//! lines under a diagnostic, and the diagnostic's own words. Parsed statements are printed
//! through `ast::Redacted` instead; this is for text that may not parse.
//!
//! What is masked, read through the shared token walker, statement by statement:
//! - the value of an option connsql does not know (it cannot tell it is not a secret);
//! - the value after a secret option's name (`AWS_SECRET_ACCESS_KEY`, …), up to the next option
//!   name or keyword, whatever stands between (`=`, `==`, parentheses, nothing);
//! - every literal after a word that looks like a secret option's name but is not a known
//!   option (`AWS_SECRET_ACESS_KEY`), or after a string that holds such a name;
//! - every string and quoted name from the point where a statement failed to parse: once the
//!   structure is broken, nothing says which literal is the secret;
//! - a string, quoted name or comment that is never closed.
//!
//! A masked literal shows as `'********'` whatever its length.

use std::borrow::Cow;
use std::ops::Range;

use super::ast::{KEYWORDS, MASK};
use super::diagnostic::Diagnostic;
use super::lex::{Piece, TokenKind, walk};
use super::options::OptionKey;
use super::parse::Statements;
use super::spec::ConnectionOption;

fn is_known_option(word: &str) -> bool {
    ConnectionOption::from_name(word).is_some() || super::job_spec::is_job_option(word)
}

fn is_secret_option(word: &str) -> bool {
    ConnectionOption::from_name(word).is_some_and(|k| k.is_secret())
}

fn looks_secret(text: &str) -> bool {
    super::spec::looks_like_secret_name(text)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    /// After a secret option's name: its value is the next literal, or every literal of a
    /// parenthesised list.
    Value {
        in_list: bool,
    },
    /// Every literal to the end of the statement.
    Rest,
}

/// Which comments to hide, besides those that look like they hold a secret.
#[derive(Clone, Copy, Debug)]
pub enum Comments<'a> {
    /// Every comment (the REPL's history: it keeps statements, not notes).
    All,
    /// The comments of statements with an error at one of these offsets: a comment may hold
    /// what was meant as a value (`SET -- = 'secret'`).
    InErrors(&'a [usize]),
}

/// The byte ranges of `text` never to show. `failures` are offsets where parsing failed.
pub fn secret_ranges(
    text: &str,
    failures: &[usize],
    comments_to_hide: Comments<'_>,
) -> Vec<Range<usize>> {
    // Where each statement ends, to know whether the one a comment is in failed anywhere.
    let ends: Vec<usize> = walk(text, 0)
        .filter(|w| w.is(TokenKind::Semi))
        .map(|w| w.end())
        .collect();
    let statement_failed = |at: usize| {
        let i = ends.partition_point(|&e| e <= at);
        let start = if i == 0 { 0 } else { ends[i - 1] };
        let end = ends.get(i).copied().unwrap_or(text.len());
        match comments_to_hide {
            Comments::All => true,
            Comments::InErrors(errors) => errors.iter().any(|&f| (start..=end).contains(&f)),
        }
    };
    let mut ranges = Vec::new();
    let mut mode = Mode::Off;
    let mut failed = false;
    // Whether the last token was a word that is neither an option nor a keyword.
    let mut after_unknown = false;
    let mut failures = failures.iter().copied().peekable();
    let pieces: Vec<_> = walk(text, 0).collect();
    let quoted = |p: Option<&super::lex::Walked<'_>>| {
        p.is_some_and(|p| p.is(TokenKind::String) || p.is(TokenKind::QuotedIdent))
    };
    for (k, w) in pieces.iter().enumerate() {
        // A word glued to a string on either side (`'…'word'…'`): an unbalanced quote has
        // turned the literals inside out, and the word was meant to be quoted.
        let glued = (k > 0 && quoted(pieces.get(k - 1))) || quoted(pieces.get(k + 1));
        while failures.peek().is_some_and(|&f| f <= w.start) {
            failures.next();
            failed = true;
        }
        let unknown_before = std::mem::take(&mut after_unknown);
        let literal = match w.piece {
            // A comment where a secret may stand hides nothing: `KEY -- = 'secret'`.
            Piece::Blank => {
                after_unknown = unknown_before;
                let hide_all = mode != Mode::Off
                    || failed
                    || (!w.text.trim().is_empty() && statement_failed(w.start));
                ranges.extend(
                    comments(w.text)
                        .filter(|r| hide_all || looks_secret(&w.text[r.clone()]))
                        .map(|r| w.start + r.start..w.start + r.end),
                );
                continue;
            }
            Piece::Unterminated(_) => {
                ranges.push(w.start..w.end());
                continue;
            }
            Piece::Token(TokenKind::Semi) => {
                mode = Mode::Off;
                failed = false;
                continue;
            }
            Piece::Token(TokenKind::Eq) => {
                // `UNKNOWN_NAME = value`: nothing says the value is not a secret.
                if unknown_before && mode == Mode::Off {
                    mode = Mode::Value { in_list: false };
                }
                continue;
            }
            Piece::Token(TokenKind::Comma) => continue,
            Piece::Token(TokenKind::LParen) => {
                if let Mode::Value { .. } = mode {
                    mode = Mode::Value { in_list: true };
                }
                continue;
            }
            Piece::Token(TokenKind::RParen) => {
                if let Mode::Value { in_list: true } = mode {
                    mode = Mode::Off;
                }
                continue;
            }
            Piece::Token(TokenKind::Word) => {
                if is_secret_option(w.text) {
                    if mode != Mode::Rest {
                        mode = Mode::Value { in_list: false };
                    }
                    continue;
                }
                if is_known_option(w.text) {
                    if let Mode::Value { .. } = mode {
                        mode = Mode::Off;
                    }
                    continue;
                }
                if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w.text)) {
                    if let Mode::Value { .. } = mode {
                        mode = Mode::Off;
                    }
                    // A keyword where an option name should be is an unknown option too.
                    after_unknown = mode == Mode::Off;
                    continue;
                }
                if mode == Mode::Rest || (failed && glued) {
                    // A bare word after the secret's name, or one that was meant to be quoted
                    // where the statement no longer parses: perhaps a secret.
                    true
                } else if looks_secret(w.text) {
                    mode = Mode::Rest;
                    continue;
                } else {
                    after_unknown = mode == Mode::Off;
                    false
                }
            }
            Piece::Token(TokenKind::String | TokenKind::QuotedIdent) => true,
            Piece::Token(TokenKind::Number | TokenKind::Other) => false,
        };
        if mode != Mode::Off || (failed && literal) {
            ranges.push(w.start..w.end());
        }
        if mode == (Mode::Value { in_list: false }) {
            mode = Mode::Off;
        }
        if literal && looks_secret(w.text) {
            mode = Mode::Rest;
        }
    }
    ranges
}

/// The comments inside a run of blanks.
fn comments(blank: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = &blank[at..];
        let start = at + rest.find(['-', '/'])?;
        let end = if blank[start..].starts_with("--") {
            blank[start..].find('\n').map_or(blank.len(), |i| start + i)
        } else if blank[start..].starts_with("/*") {
            blank[start..]
                .find("*/")
                .map_or(blank.len(), |i| start + i + 2)
        } else {
            at = start + 1;
            return Some(start..start);
        };
        at = end;
        Some(start..end)
    })
    .filter(|r| !r.is_empty())
}

/// Where the statements of `text` fail to parse.
pub fn parse_failures(text: &str) -> Vec<usize> {
    Statements::new(text)
        .filter_map(|r| r.err().map(|d| d.span.start))
        .collect()
}

/// `text` with secrets replaced by `'********'`, and comments dropped: for the REPL's history
/// file.
pub fn redact_text(text: &str) -> String {
    let ranges = secret_ranges(text, &parse_failures(text), Comments::All);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.push_str(&mask_for(&text[r.clone()]));
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What a masked piece shows as: its quote kept, never its length.
fn mask_for(raw: &str) -> String {
    match raw.as_bytes().first() {
        Some(b'\'') if raw.len() > 1 && raw.ends_with('\'') => format!("'{MASK}'"),
        Some(b'"') if raw.len() > 1 && raw.ends_with('"') => format!("\"{MASK}\""),
        Some(b'\'') => format!("'{MASK}"),
        Some(b'"') => format!("\"{MASK}"),
        Some(b'/') if raw.starts_with("/*") && raw.len() > 3 && raw.ends_with("*/") => {
            format!("/* {MASK} */")
        }
        Some(b'/') if raw.starts_with("/*") => format!("/*{MASK}"),
        Some(b'-') if raw.starts_with("--") => format!("-- {MASK}"),
        _ => MASK.to_string(),
    }
}

/// Text made fit to show: secrets masked and control characters escaped, with a map from
/// offsets in the original to offsets in the shown text (spans stay on the right characters).
#[derive(Clone, Debug)]
pub struct Shown<'a> {
    pub text: Cow<'a, str>,
    /// Replaced ranges: original range and the start of its replacement, in order.
    edits: Vec<(Range<usize>, usize, usize)>,
}

impl Shown<'_> {
    /// The shown offset of an original offset; inside a replaced range, the replacement's
    /// start (or its end, for an offset at the range's end).
    pub fn map(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for (orig, new_start, new_len) in &self.edits {
            if offset < orig.start {
                break;
            }
            if offset < orig.end {
                return *new_start;
            }
            delta = (*new_start + *new_len) as isize - orig.end as isize;
        }
        (offset as isize + delta).max(0) as usize
    }
}

/// `text` with `ranges` masked and control characters (other than line breaks and tabs)
/// written as `\x1b`-style escapes, so stored text cannot drive the terminal.
pub fn shown<'a>(text: &'a str, ranges: &[Range<usize>]) -> Shown<'a> {
    let controls = text
        .bytes()
        .any(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\t' | b'\r'))
        || text.chars().any(is_unsafe_char);
    if ranges.is_empty() && !controls {
        return Shown {
            text: Cow::Borrowed(text),
            edits: Vec::new(),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut edits = Vec::new();
    let mut ranges = ranges.iter().peekable();
    let mut i = 0;
    while i < text.len() {
        if let Some(r) = ranges.peek()
            && r.start <= i
        {
            let r = ranges.next().cloned().unwrap_or(i..i);
            if r.end <= i {
                continue;
            }
            let start = out.len();
            out.push_str(&mask_for(&text[r.clone()]));
            edits.push((r.start.max(i)..r.end, start, out.len() - start));
            i = r.end;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if is_control(c) {
            let start = out.len();
            out.push_str(&escape(c));
            edits.push((i..i + len, start, out.len() - start));
        } else {
            out.push(c);
        }
        i += len;
    }
    Shown {
        text: Cow::Owned(out),
        edits,
    }
}

/// Characters a terminal acts on rather than shows.
fn is_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || is_unsafe_char(c)
}

/// Bidirectional overrides and the like: shown as escapes so text cannot reorder itself.
fn is_unsafe_char(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `\x1b`, `\u{202e}`: how a control character is shown.
pub fn escape(c: char) -> String {
    if (c as u32) < 0x100 {
        format!("\\x{:02x}", c as u32)
    } else {
        format!("\\u{{{:x}}}", c as u32)
    }
}

/// `s` with control characters escaped, borrowed when it has none: for cells and messages.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The diagnostic with every masked piece of `text` removed from its words too, and control
/// characters escaped: a message may quote what it is about.
pub fn scrub(diag: &Diagnostic, text: &str, ranges: &[Range<usize>]) -> Diagnostic {
    let mut secrets: Vec<&str> = Vec::new();
    for r in ranges {
        let raw = &text[r.clone()];
        let inner = raw.trim_matches(|c| c == '\'' || c == '"');
        for s in [raw, inner] {
            // Short pieces would blot out ordinary words; secrets are longer.
            if s.chars().count() >= 4 {
                secrets.push(s);
            }
        }
    }
    // Longest first, so a piece inside another does not break the longer one's match.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let clean = |s: &str| -> String {
        let mut out = s.to_string();
        for secret in &secrets {
            if out.contains(secret) {
                out = out.replace(secret, MASK);
            }
        }
        escape_controls(&out).into_owned()
    };
    Diagnostic {
        message: clean(&diag.message),
        label: diag.label.as_deref().map(|s| clean(s).into()),
        help: diag.help.as_deref().map(|s| clean(s).into()),
        note: diag.note.as_deref().map(|s| clean(s).into()),
        secondary: diag
            .secondary
            .iter()
            .map(|(span, label)| (*span, clean(label)))
            .collect(),
        ..diag.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_values_only() {
        assert_eq!(
            redact_text(
                "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' aws_secret_access_key='s3cr''et'"
            ),
            "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' aws_secret_access_key='********'"
        );
        assert_eq!(
            redact_text("CREATE S3 CONNECTION x ENCRYPTION_CUSTOMER_MANAGED_KEY = 'abc"),
            "CREATE S3 CONNECTION x ENCRYPTION_CUSTOMER_MANAGED_KEY = '********"
        );
        assert_eq!(
            redact_text("CREATE S3 CONNECTION c COMMENT = 'fine'"),
            "CREATE S3 CONNECTION c COMMENT = 'fine'"
        );
    }

    #[test]
    fn malformed_secrets_are_masked() {
        for text in [
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY 'SKmarker'",
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY == 'SKmarker'",
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY = ('SKmarker')",
            "CREATE S3 CONNECTION c AWS_SECRET_ACESS_KEY = 'SKmarker'",
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY = \"SKmarker\"",
            "CREATE S3 CONNECTION c COMMENT = 'x AWS_SECRET_ACCESS_KEY = 'SKmarker'",
            "CREATE S3 CONNECTION \"c AWS_SECRET_ACCESS_KEY = 'SKmarker'",
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY ; 'SKmarker'",
        ] {
            let redacted = redact_text(text);
            assert!(!redacted.contains("SKmarker"), "{text} -> {redacted}");
        }
    }

    #[test]
    fn shown_text_maps_offsets() {
        let text = "A AWS_SECRET_ACCESS_KEY = 'abcdefghijkl' B\x1b[2J";
        let ranges = secret_ranges(text, &[], Comments::InErrors(&[]));
        let shown = shown(text, &ranges);
        assert_eq!(shown.text, "A AWS_SECRET_ACCESS_KEY = '********' B\\x1b[2J");
        let b = text.find(" B").unwrap() + 1;
        assert_eq!(&shown.text[shown.map(b)..shown.map(b) + 1], "B");
        let esc = text.find('\x1b').unwrap();
        assert_eq!(&shown.text[shown.map(esc)..shown.map(esc) + 4], "\\x1b");
    }
}
