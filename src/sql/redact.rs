//! Keeps secrets out of raw statement text shown to people: the REPL's history file, the source
//! lines under a diagnostic, and the diagnostic's own words. Parsed statements are printed
//! through `ast::Redacted` instead; this is for text that may not parse.
//!
//! Masking follows the option, whatever the value's tokens look like: after the name of a
//! secret option (`AWS_SECRET_ACCESS_KEY`, `ENCRYPTION_CUSTOMER_MANAGED_KEY`), or a word that
//! looks like one (`AWS_SECRET_ACESS_KEY`, `PASSWORD`), and its `=`, everything is masked up to
//! where the next option or the statement's end begins: a `;`, or a keyword or option name
//! standing after a blank (a bare secret such as `wJalr/K7MDENG+bPx` has no blank inside, so no
//! piece of it ends the value early). A literal or comment that holds such a name is masked
//! from the name on. Nothing else is masked: names, ARNs, external IDs, numbers and the values
//! of other options stay readable, so an error can be acted on (SPEC §5).
//!
//! A masked piece shows as `'********'` (its quote kept) whatever its length.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;

use super::diagnostic::Diagnostic;
use super::lex::{Piece, TokenKind, Walk, Walked, walk};
use super::options::OptionKey;
use super::spec::{ConnectionOption, looks_like_secret_name};
use super::words::{KEYWORDS, MASK};

/// Whether a word ends a secret's value when it stands after a blank: an option name of any
/// object, a word of connsql's grammar, or an SQL keyword (the statement after a missing `;`).
fn is_boundary(word: &str) -> bool {
    if ConnectionOption::from_name(word).is_some()
        || super::job_spec::is_job_option(word)
        || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
    {
        return true;
    }
    let upper = word.to_ascii_uppercase();
    sqlparser::keywords::ALL_KEYWORDS
        .binary_search(&upper.as_str())
        .is_ok()
}

/// Whether a word names a secret: a secret option, or a word that looks like one.
fn names_secret(word: &str) -> bool {
    // The shortest word that names a secret (`SECRET`, `PASSWD`) has six letters.
    if word.len() < 6 {
        return false;
    }
    ConnectionOption::from_name(word).is_some_and(|k| k.is_secret())
        || (ConnectionOption::from_name(word).is_none()
            && !super::job_spec::is_job_option(word)
            && looks_like_secret_name(word))
}

/// Where the masker is in the text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Off,
    /// After a secret's name; `eq` once its `=` has been seen (then anything is the value);
    /// `exact` when the name is a secret option's own (then anything after it is the value),
    /// rather than a word that only looks like one (`my_secret_conn`).
    AfterName {
        eq: bool,
        exact: bool,
    },
    /// Inside a secret's value, which started at `start` and so far ends at `end`; `gap` when
    /// a blank followed the last piece of it.
    Value {
        start: usize,
        end: usize,
        gap: bool,
    },
}

/// The last significant piece before the current one, outside a secret's value: what tells
/// whether a value has an option's name before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// The start of a statement.
    Start,
    /// A word; `owner` unless it is a keyword that stands before an option's name (`SET`) or
    /// cannot be one: a value after it has no name.
    Word { owner: bool },
    /// `=`, and whether a word (an option's name) stood before it.
    Eq { named: bool },
    /// `(` or `,`.
    Punct,
    /// A literal, number, `)` or other character.
    Value,
}

/// Where values are masked in the walk of one text: per statement, whether it is a statement
/// that may hold secrets (`CREATE`/`ALTER` that is not a job's), and whether the list being
/// read has a name.
struct Statement {
    words: usize,
    first_create_or_alter: bool,
    job: bool,
    /// Inside `( … )`: whether the list belongs to an option's name.
    list_named: Option<bool>,
}

impl Statement {
    fn new() -> Self {
        Statement {
            words: 0,
            first_create_or_alter: false,
            job: false,
            list_named: None,
        }
    }

    fn saw_word(&mut self, word: &str) {
        if self.words == 0 {
            self.first_create_or_alter =
                word.eq_ignore_ascii_case("CREATE") || word.eq_ignore_ascii_case("ALTER");
        }
        if self.words < 5 && word.eq_ignore_ascii_case("JOB") {
            self.job = true;
        }
        self.words += 1;
    }

    /// A statement whose options may be secrets: a connection's CREATE or ALTER, not a job's
    /// (whose SELECT holds no secret options), or one that does not start with a word at all
    /// (the rest of a statement cut by a stray `;`).
    fn may_hold_secrets(&self) -> bool {
        self.words == 0 || (self.first_create_or_alter && !self.job)
    }
}

/// The byte ranges of `text` never to show: the values of secret options, whatever their
/// shape; what follows a secret's name inside a literal or comment; and, in a statement that
/// may hold secrets, a value that no option's name owns (`'AKIA…' = 'secret'`, its name
/// deleted), since nothing says it is not the secret.
pub fn secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut state = State::Off;
    let mut prev = Prev::Start;
    let mut statement = Statement::new();
    let mut pieces = Stream::new(text);
    while let Some(w) = pieces.current {
        match state {
            State::Value { start, end, gap } => {
                let ends = match w.piece {
                    Piece::Token(TokenKind::Semi) => true,
                    Piece::Token(TokenKind::Word) => gap && is_boundary(w.text),
                    _ => false,
                };
                if ends {
                    ranges.push(start..end);
                    state = State::Off;
                    prev = Prev::Value;
                    // The word that ended the value may name the next secret.
                    continue;
                }
                state = match w.piece {
                    Piece::Blank if w.text.trim().is_empty() => State::Value {
                        start,
                        end,
                        gap: true,
                    },
                    // A comment inside the value is part of it; the blanks around it are not.
                    Piece::Blank => State::Value {
                        start,
                        end: trimmed(w).end,
                        gap: true,
                    },
                    _ => State::Value {
                        start,
                        end: w.end(),
                        gap: false,
                    },
                };
            }
            State::AfterName { eq, exact } => match w.piece {
                Piece::Blank => {
                    // A comment between the name and the value may hold the value.
                    if !w.text.trim().is_empty() {
                        ranges.push(trimmed(w));
                    }
                }
                Piece::Token(TokenKind::Eq) if !eq => state = State::AfterName { eq: true, exact },
                Piece::Token(TokenKind::Semi) => {
                    state = State::Off;
                    continue;
                }
                Piece::Token(TokenKind::Word) if !eq && is_boundary(w.text) => {
                    // After a secret option's own name, a keyword or option name without its
                    // `=` is not the next option (`AWS_SECRET_ACCESS_KEY READ_ONLY '…'`): the
                    // value may still follow.
                    let next_is_eq = pieces
                        .next_significant()
                        .is_some_and(|p| p.is(TokenKind::Eq));
                    if exact && !next_is_eq {
                        pieces.advance();
                        continue;
                    }
                    state = State::Off;
                    continue;
                }
                // Punctuation where a value should start: the word only looked like a name.
                Piece::Token(TokenKind::Comma | TokenKind::RParen) if !eq && !exact => {
                    state = State::Off;
                    continue;
                }
                _ => {
                    state = State::Value {
                        start: w.start,
                        end: w.end(),
                        gap: false,
                    }
                }
            },
            State::Off => {
                let orphan = statement.may_hold_secrets()
                    && match prev {
                        Prev::Word { owner } => !owner,
                        Prev::Eq { named: true } => false,
                        Prev::Punct => statement.list_named == Some(false),
                        Prev::Start | Prev::Eq { named: false } | Prev::Value => true,
                    };
                match w.piece {
                    Piece::Token(TokenKind::Word) if names_secret(w.text) => {
                        statement.saw_word(w.text);
                        state = State::AfterName {
                            eq: false,
                            exact: ConnectionOption::from_name(w.text).is_some(),
                        };
                        prev = Prev::Word { owner: true };
                    }
                    Piece::Token(TokenKind::Word) if prev == (Prev::Eq { named: false }) => {
                        state = State::Value {
                            start: w.start,
                            end: w.end(),
                            gap: false,
                        };
                    }
                    // A word glued to a string on either side (`'…'word'…'`): an unbalanced
                    // quote turned the literals inside out, and the word was meant to be quoted.
                    Piece::Token(TokenKind::Word)
                        if statement.may_hold_secrets()
                            && (is_literal(pieces.before) || is_literal(pieces.after()))
                            && !is_boundary(w.text) =>
                    {
                        ranges.push(w.start..w.end());
                        prev = Prev::Value;
                    }
                    Piece::Token(TokenKind::Word) => {
                        statement.saw_word(w.text);
                        prev = Prev::Word {
                            owner: !w.text.eq_ignore_ascii_case("SET"),
                        };
                    }
                    Piece::Token(TokenKind::Semi) => {
                        statement = Statement::new();
                        prev = Prev::Start;
                    }
                    Piece::Token(TokenKind::Eq) => {
                        // `NAME =`: an option's name is a word that is not a keyword, and not
                        // the object's own name (`CONNECTION k = …` lost its option's name).
                        // Inside an option's group any word is a setting's name, keywords
                        // included (`DEDUPLICATE_WITH = (COLUMN = id, …)`).
                        let [name, before_name] = pieces.significant_before;
                        let in_group = statement.list_named == Some(true);
                        let object = before_name.is_some_and(|p| {
                            ["CONNECTION", "EXISTS", "JOB"]
                                .iter()
                                .any(|o| p.text.eq_ignore_ascii_case(o))
                        });
                        let named = matches!(prev, Prev::Word { owner: true })
                            && !object
                            && name.is_some_and(|p| {
                                ConnectionOption::from_name(p.text).is_some()
                                    || super::job_spec::is_job_option(p.text)
                                    || in_group
                                    || !is_boundary(p.text)
                            });
                        prev = Prev::Eq { named };
                        if !named && statement.may_hold_secrets() {
                            state = State::AfterName {
                                eq: true,
                                exact: true,
                            };
                        }
                    }
                    Piece::Token(TokenKind::LParen) => {
                        statement.list_named = Some(!orphan);
                        prev = Prev::Punct;
                    }
                    Piece::Token(TokenKind::Comma) => {
                        // A comma outside a list separates values that have no name of their own.
                        if statement.list_named.is_none() {
                            statement.list_named = Some(false);
                        }
                        prev = Prev::Punct;
                    }
                    Piece::Token(TokenKind::RParen) => {
                        statement.list_named = None;
                        prev = Prev::Value;
                    }
                    Piece::Token(TokenKind::Number | TokenKind::Other) => prev = Prev::Value,
                    Piece::Blank => {
                        // A comment that holds a secret's name is masked from the name on; in
                        // a statement that may hold secrets, one that holds a value at all
                        // (`-- = '…'`: an option commented out, its name lost) is masked whole.
                        for c in comments(w.text) {
                            let comment = &w.text[c.clone()];
                            if let (Some(r), _) = inside(comment) {
                                ranges.push(w.start + c.start + r.start..w.start + c.start + r.end);
                            } else if statement.may_hold_secrets()
                                && comment.contains(['\'', '"', '$', '='])
                            {
                                ranges.push(w.start + c.start..w.start + c.end);
                            }
                        }
                    }
                    // Literals and unclosed constructs.
                    Piece::Unterminated(_)
                    | Piece::Token(
                        TokenKind::String | TokenKind::QuotedIdent | TokenKind::DollarString,
                    ) => {
                        let (masked, value_follows) = inside(w.text);
                        // A construct never closed swallowed the rest of the text; where it
                        // swallowed other values, one of them may be the secret.
                        let swallowed = matches!(w.piece, Piece::Unterminated(_))
                            && statement.may_hold_secrets()
                            && w.text[1..].contains(['\'', '"', '$', '=']);
                        if orphan || swallowed {
                            ranges.push(w.start..w.end());
                        } else if let Some(r) = masked {
                            ranges.push(w.start + r.start..w.start + r.end);
                        }
                        if value_follows {
                            state = State::AfterName {
                                eq: true,
                                exact: false,
                            };
                        }
                        prev = Prev::Value;
                    }
                }
            }
        }
        pieces.advance();
    }
    if let State::Value { start, end, .. } = state {
        ranges.push(start..end);
    }
    merged(ranges)
}

/// A literal or comment that holds a secret's name: the part after the name (and its `=`) to
/// mask, and whether the literal ends right after the name, so that the value follows it.
fn inside(text: &str) -> (Option<Range<usize>>, bool) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if !names_secret(&text[start..i]) {
            continue;
        }
        let after = i + text[i..]
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'=' | b':'))
            .count();
        // The closing quote of a literal stays, so the mask keeps the literal's shape.
        let close = match bytes.first() {
            Some(q @ (b'\'' | b'"')) if text.len() > 1 && bytes[text.len() - 1] == *q => 1,
            _ if text.starts_with("/*") && text.ends_with("*/") && text.len() >= 4 => 2,
            _ => 0,
        };
        let end = text.len() - close;
        return if after < end {
            (Some(after..end), false)
        } else {
            (None, true)
        };
    }
    (None, false)
}

/// Whether a piece is a string or quoted name (closed or not).
fn is_literal(p: Option<Walked<'_>>) -> bool {
    p.is_some_and(|p| {
        p.is(TokenKind::String)
            || p.is(TokenKind::QuotedIdent)
            || matches!(p.piece, Piece::Unterminated(_))
    })
}

/// The walk of a text as the masker reads it: the current piece, the one just before it, the
/// two significant pieces before it, and a look ahead, without holding the whole text's
/// pieces (a statement may be megabytes long).
struct Stream<'a> {
    walk: Walk<'a>,
    ahead: VecDeque<Walked<'a>>,
    current: Option<Walked<'a>>,
    before: Option<Walked<'a>>,
    /// The last and the one-but-last pieces before `current` that are not blanks.
    significant_before: [Option<Walked<'a>>; 2],
}

impl<'a> Stream<'a> {
    fn new(text: &'a str) -> Self {
        let mut walk = walk(text, 0);
        let current = walk.next();
        Stream {
            walk,
            ahead: VecDeque::new(),
            current,
            before: None,
            significant_before: [None, None],
        }
    }

    fn advance(&mut self) {
        if let Some(w) = self.current
            && w.piece != Piece::Blank
        {
            self.significant_before = [Some(w), self.significant_before[0]];
        }
        self.before = self.current;
        self.current = self.ahead.pop_front().or_else(|| self.walk.next());
    }

    /// The piece right after the current one.
    fn after(&mut self) -> Option<Walked<'a>> {
        if self.ahead.is_empty() {
            self.ahead.extend(self.walk.next());
        }
        self.ahead.front().copied()
    }

    /// The first piece after the current one that is not a blank.
    fn next_significant(&mut self) -> Option<Walked<'a>> {
        if let Some(w) = self.ahead.iter().find(|w| w.piece != Piece::Blank) {
            return Some(*w);
        }
        for w in self.walk.by_ref() {
            self.ahead.push_back(w);
            if w.piece != Piece::Blank {
                return Some(w);
            }
        }
        None
    }
}

/// A blank's comment, without the whitespace around it.
fn trimmed(w: Walked<'_>) -> Range<usize> {
    let lead = w.text.len() - w.text.trim_start().len();
    w.start + lead..w.start + w.text.trim_end().len()
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

/// `text` with secrets replaced by `'********'` and every comment masked: for the REPL's
/// history file, which keeps statements, not notes.
pub fn redact_text(text: &str) -> String {
    let mut ranges = secret_ranges(text);
    for w in walk(text, 0).filter(|w| w.piece == Piece::Blank) {
        ranges.extend(comments(w.text).map(|r| w.start + r.start..w.start + r.end));
    }
    let ranges = merged(ranges);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.push_str(&mask_lines(&text[r.clone()]));
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Ranges sorted, overlapping ones joined.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// A masked piece that spans lines keeps its line breaks, so that line numbers and carets
/// after it stay where they are: the first line shows the mask, each later one `********`.
fn mask_lines(raw: &str) -> String {
    if !raw.contains('\n') {
        return mask_for(raw);
    }
    let mut out = String::new();
    for (i, line) in raw.split('\n').enumerate() {
        if i == 0 {
            if !line.trim().is_empty() {
                out.push_str(&mask_for(line));
            }
            continue;
        }
        out.push('\n');
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() {
            continue;
        }
        out.push_str(&line[..indent]);
        out.push_str(MASK);
    }
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
    if ranges.is_empty() && !text.chars().any(is_control) {
        return Shown {
            text: Cow::Borrowed(text),
            edits: Vec::new(),
        };
    }
    let ranges = merged(ranges.to_vec());
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
            out.push_str(&mask_lines(&text[r.clone()]));
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

/// Characters a terminal acts on rather than shows: C0 and C1 controls (but line breaks and
/// tabs), DEL, and the bidirectional controls that reorder what follows them.
pub fn is_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || is_bidi_control(c)
}

/// Bidirectional embeddings, overrides and isolates (and the marks): shown as escapes so text
/// cannot reorder itself, as rustc refuses them in source.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
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
/// characters escaped: a message may quote a token it is about, and that token may lie inside
/// a secret's value (`found `K7MDENG``, or a word upper-cased in `expected = after K7MDENG`).
pub fn scrub(diag: &Diagnostic, text: &str, ranges: &[Range<usize>]) -> Diagnostic {
    let mut secrets: Vec<String> = Vec::new();
    for r in ranges {
        let raw = &text[r.clone()];
        let inner = raw.trim_matches(|c| c == '\'' || c == '"');
        secrets.push(raw.to_ascii_lowercase());
        secrets.push(inner.to_ascii_lowercase());
        // Each piece of a bare value, as a message might quote one token of it.
        secrets.extend(
            walk(raw, 0)
                .filter(|w| w.piece != Piece::Blank)
                .map(|w| w.text.to_ascii_lowercase()),
        );
    }
    // One- and two-character pieces (`/`, `+`, `==`) are punctuation, not secrets.
    secrets.retain(|s| s.chars().count() >= 3);
    secrets.sort_unstable();
    secrets.dedup();
    // Longest first, so a piece inside another does not break the longer one's match.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let clean = |s: &str| -> String {
        let mut out = s.to_string();
        for secret in &secrets {
            out = replace_ignoring_case(&out, secret, MASK);
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

/// `haystack` with every ASCII-case-insensitive occurrence of `needle` (lower case) replaced,
/// where it stands as a token of its own: a message quotes a token whole, and a secret that
/// happens to spell part of a word (`secret` in `AWS_SECRET_ACCESS_KEY`) leaves the word be.
fn replace_ignoring_case(haystack: &str, needle: &str, with: &str) -> String {
    let lower = haystack.to_ascii_lowercase();
    if !lower.contains(needle) {
        return haystack.to_string();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(haystack.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(k) = lower[from..].find(needle) {
        let at = from + k;
        let end = at + needle.len();
        let glued = (is_word(needle.chars().next()) && is_word(lower[..at].chars().next_back()))
            || (is_word(needle.chars().next_back()) && is_word(lower[end..].chars().next()));
        if !glued {
            out.push_str(&haystack[copied..at]);
            out.push_str(with);
            copied = end;
            from = end;
        } else {
            from = lower[at..]
                .chars()
                .next()
                .map_or(end, |c| at + c.len_utf8());
        }
    }
    out.push_str(&haystack[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let ranges = secret_ranges(text);
        shown(text, &ranges).text.into_owned()
    }

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
    fn the_mask_follows_the_option_whatever_the_value_looks_like() {
        for value in [
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSKmarker",
            "\n   'SKmarker'",
            "$$SKmarker$$",
            "$tag$SKmarker;x$tag$",
            "`SKmarker`",
            "[SKmarker]",
            "\"SKmarker\"",
            "'SKmarker' junk",
            "SKmarker/+==",
            "('SKmarker', 'b')",
            "== 'SKmarker'",
            "-- note\n 'SKmarker'",
        ] {
            for option in ["AWS_SECRET_ACCESS_KEY", "ENCRYPTION_CUSTOMER_MANAGED_KEY"] {
                let text = format!(
                    "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' {option} = {value} COMMENT = 'visible'"
                );
                let shown = masked(&text);
                assert!(!shown.contains("SKmarker"), "{text}\n-> {shown}");
                assert!(shown.contains("COMMENT = 'visible'"), "{text}\n-> {shown}");
                assert!(shown.contains("'AKIAIOSFODNN7EXAMPLE'"), "{shown}");
            }
        }
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
            "CREATE S3 CONNECTION c COMMENT = 'it's' AWS_SECRET_ACCESS_KEY = 'SKmarker'",
            "CREATE S3 CONNECTION c -- AWS_SECRET_ACCESS_KEY = 'SKmarker'",
            "CREATE SNOWFLAKE CONNECTION s PASSWORD = 'SKmarker'",
        ] {
            let redacted = redact_text(text);
            assert!(!redacted.contains("SKmarker"), "{text} -> {redacted}");
            let shown = masked(text);
            assert!(!shown.contains("SKmarker"), "{text} -> {shown}");
        }
    }

    #[test]
    fn other_values_stay_readable() {
        for text in [
            "CREATE S3 CONNECTION a AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ext-1'\nCREATE S3 CONNECTION b",
            "CREATE S3 CONNECTION a AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID 'ext-1'",
            "CREATE JOB j COMPUTE_CLUSTER = \"Default Compute\" SKIP_VALIDATIONS = ('ALLOW_CARTESIAN_PRODUCT') MAX_DELAY = 1 DAY AS COPY FROM S3 c LOCATION = 's3://b/p/' INTO t",
            "CREATE JOB j DEDUPLICATE_WITH = (COLUMN = id, WINDOW = 1 DAY) CONTENT_TYPE = (TYPE = REGEX PATTERN = '(?<a>.*)') AS COPY FROM S3 c LOCATION = 's3://b/p/' INTO t",
            "CREATE S3 CONNECTION secret_keys COMMENT = 'x'",
            "SELECT client_secret, event_id FROM t",
        ] {
            assert_eq!(masked(text), text);
        }
    }

    #[test]
    fn a_secret_ends_where_the_next_option_or_statement_begins() {
        let text = "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = abc/def\n  READ_ONLY = TRUE\nCREATE S3 CONNECTION d";
        assert_eq!(
            masked(text),
            "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = ********\n  READ_ONLY = TRUE\nCREATE S3 CONNECTION d"
        );
        let text = "ALTER S3 CONNECTION c SET AWS_SECRET_ACCESS_KEY = 'abc' SET COMMENT = 'x'";
        assert_eq!(
            masked(text),
            "ALTER S3 CONNECTION c SET AWS_SECRET_ACCESS_KEY = '********' SET COMMENT = 'x'"
        );
    }

    #[test]
    fn scrub_removes_pieces_of_a_secret_from_words() {
        let text = "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY = abc/K7MDENG COMMENT = 'x'";
        let ranges = secret_ranges(text);
        let diag = Diagnostic::error(
            super::super::diagnostic::DiagnosticKind::Syntax,
            super::super::span::Span::new(0, 1),
            "expected `=` after K7MDENG, found `k7mdeng`",
        );
        let clean = scrub(&diag, text, &ranges);
        assert!(
            !clean.message.to_ascii_lowercase().contains("k7mdeng"),
            "{}",
            clean.message
        );
        assert_eq!(replace_ignoring_case("aa aaa `aa`", "aa", "X"), "X aaa `X`");
        assert_eq!(
            replace_ignoring_case("AWS_SECRET_ACCESS_KEY `Secret`", "secret", "X"),
            "AWS_SECRET_ACCESS_KEY `X`"
        );
    }

    #[test]
    fn shown_text_maps_offsets() {
        let text = "A AWS_SECRET_ACCESS_KEY = 'abcdefghijkl' COMMENT\x1b[2J";
        let ranges = secret_ranges(text);
        let shown = shown(text, &ranges);
        assert_eq!(
            shown.text,
            "A AWS_SECRET_ACCESS_KEY = '********' COMMENT\\x1b[2J"
        );
        let b = text.find(" COMMENT").unwrap() + 1;
        assert_eq!(&shown.text[shown.map(b)..shown.map(b) + 1], "C");
        let esc = text.find('\x1b').unwrap();
        assert_eq!(&shown.text[shown.map(esc)..shown.map(esc) + 4], "\\x1b");
    }
}
