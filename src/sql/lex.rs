//! Lexical primitives as nom parsers over `&str`: blanks and comments, words, quoted
//! identifiers, strings, numbers and punctuation. Comments and numbers are nom combinators;
//! whitespace, words, punctuation and quoted literals, most of a statement's bytes, scan bytes
//! directly inside the same `IResult` interface (see BENCHMARKS.md).

use std::borrow::Cow;

use nom::bytes::complete::{tag, take_till, take_until, take_while};
use nom::character::complete::digit1;
use nom::combinator::{cut, map, recognize};
use nom::error::{ErrorKind, ParseError};
use nom::sequence::{pair, terminated};
use nom::{IResult, Parser};

/// Why lexing stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    Nom(ErrorKind),
    UnterminatedString,
    UnterminatedIdentifier,
    UnterminatedComment,
    /// A `$tag$ … $tag$` body without its closing delimiter.
    UnterminatedDollar,
}

/// A lexing failure and the input at which it happened (a suffix of the text lexed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexError<'a> {
    pub kind: LexErrorKind,
    pub at: &'a str,
}

impl<'a> ParseError<&'a str> for LexError<'a> {
    fn from_error_kind(at: &'a str, kind: ErrorKind) -> Self {
        LexError {
            kind: LexErrorKind::Nom(kind),
            at,
        }
    }

    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

pub type LexResult<'a, O> = IResult<&'a str, O, LexError<'a>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword, option name or unquoted identifier.
    Word,
    /// `"…"` with `""` for a quote.
    QuotedIdent,
    /// `'…'` with `''` for a quote.
    String,
    /// `$$…$$` or `$tag$…$tag$`: another dialect's string, lexed whole so that nothing inside
    /// it (a `;`, a quote) is read as structure; the grammar refuses it with a clear error.
    DollarString,
    /// Starts with a digit (never valid in this grammar, but lexed whole for a clear error).
    Number,
    Eq,
    LParen,
    RParen,
    Comma,
    Semi,
    /// Any other single character.
    Other,
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn line_comment(i: &str) -> LexResult<'_, &str> {
    recognize(pair(tag("--"), take_till(|c| c == '\n'))).parse(i)
}

fn block_comment(i: &str) -> LexResult<'_, &str> {
    let inner = recognize(pair(
        tag("/*"),
        cut(terminated(take_until("*/"), tag("*/"))),
    ));
    with_kind(inner, LexErrorKind::UnterminatedComment).parse(i)
}

/// Skips whitespace and comments (`--` to end of line, `/* … */` not nested).
#[inline]
pub fn blanks(i: &str) -> LexResult<'_, ()> {
    // ASCII whitespace, most of what lies between tokens, is skipped here byte by byte; the
    // rest (comments, Unicode white space) is out of line, so this stays small enough to inline.
    let bytes = i.as_bytes();
    let at = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
        .unwrap_or(bytes.len());
    match bytes.get(at) {
        Some(b'-' | b'/') => comments_and_blanks(&i[at..]),
        Some(b) if !b.is_ascii() => comments_and_blanks(&i[at..]),
        _ => Ok((&i[at..], ())),
    }
}

/// [`blanks`] from a byte that may start a comment or a Unicode blank.
#[inline(never)]
fn comments_and_blanks(mut i: &str) -> LexResult<'_, ()> {
    // Any Unicode white space, so a pasted no-break space is a blank too.
    loop {
        let after = if i.starts_with("--") {
            line_comment(i)?.0
        } else if i.starts_with("/*") {
            block_comment(i)?.0
        } else {
            i.trim_start_matches(char::is_whitespace)
        };
        if after.len() == i.len() {
            return Ok((i, ()));
        }
        i = after;
    }
}

/// Whether a byte continues a word: `[A-Za-z0-9_]`, one table look-up per byte.
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// The length of the word at the start of `bytes`, whose first byte is a word start.
fn word_len(bytes: &[u8]) -> usize {
    1 + bytes[1..]
        .iter()
        .position(|b| !WORD_BYTE[usize::from(*b)])
        .unwrap_or(bytes.len() - 1)
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn word(i: &str) -> LexResult<'_, &str> {
    if !i
        .as_bytes()
        .first()
        .is_some_and(|b| is_word_start(char::from(*b)))
    {
        return Err(nom::Err::Error(LexError::from_error_kind(
            i,
            ErrorKind::Alpha,
        )));
    }
    // ASCII only, so bytes suffice: no UTF-8 decoding per character.
    let len = word_len(i.as_bytes());
    Ok((&i[len..], &i[..len]))
}

fn number(i: &str) -> LexResult<'_, &str> {
    recognize(pair(
        digit1,
        take_while(|c: char| is_word_char(c) || c == '.'),
    ))
    .parse(i)
}

/// A literal delimited by `quote`, where a doubled quote stands for one.
///
/// The body is searched with memchr: strings (ARNs, paths) are most of the bytes of a
/// connection statement.
fn quoted(quote: u8) -> impl Fn(&str) -> LexResult<'_, &str> {
    move |i| {
        let bytes = i.as_bytes();
        if bytes.first() != Some(&quote) {
            return Err(nom::Err::Error(LexError::from_error_kind(
                i,
                ErrorKind::Char,
            )));
        }
        let mut at = 1;
        loop {
            let Some(k) = memchr::memchr(quote, &bytes[at..]) else {
                return Err(nom::Err::Failure(LexError::from_error_kind(
                    i,
                    ErrorKind::Char,
                )));
            };
            let close = at + k;
            if bytes.get(close + 1) == Some(&quote) {
                at = close + 2;
            } else {
                // The quote is ASCII, so both cuts fall on character boundaries.
                return Ok((&i[close + 1..], &i[..close + 1]));
            }
        }
    }
}

/// The opening delimiter of a dollar-quoted string at the start of `i` (`$$`, `$tag$`), as
/// PostgreSQL and sqlparser read it: a tag is a name that does not start with a digit.
pub fn dollar_delimiter(i: &str) -> Option<&str> {
    let rest = i.strip_prefix('$')?;
    let tag = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    rest[tag..].starts_with('$').then(|| &i[..tag + 2])
}

/// `$tag$ … $tag$`
fn dollar_string(i: &str) -> LexResult<'_, &str> {
    let Some(delimiter) = dollar_delimiter(i) else {
        return Err(nom::Err::Error(LexError::from_error_kind(
            i,
            ErrorKind::Char,
        )));
    };
    match i[delimiter.len()..].find(delimiter) {
        Some(k) => {
            let len = delimiter.len() + k + delimiter.len();
            Ok((&i[len..], &i[..len]))
        }
        None => Err(nom::Err::Failure(LexError {
            kind: LexErrorKind::UnterminatedDollar,
            at: i,
        })),
    }
}

fn string(i: &str) -> LexResult<'_, &str> {
    with_kind(quoted(b'\''), LexErrorKind::UnterminatedString).parse(i)
}

fn quoted_ident(i: &str) -> LexResult<'_, &str> {
    with_kind(quoted(b'"'), LexErrorKind::UnterminatedIdentifier).parse(i)
}

/// Turns a cut failure inside `inner` into `kind`, reported at the start of the construct.
fn with_kind<'a, O>(
    mut inner: impl Parser<&'a str, Output = O, Error = LexError<'a>>,
    kind: LexErrorKind,
) -> impl Parser<&'a str, Output = O, Error = LexError<'a>> {
    move |i: &'a str| match inner.parse(i) {
        Err(nom::Err::Failure(_)) => Err(nom::Err::Failure(LexError { kind, at: i })),
        other => other,
    }
}

/// One token after blanks: its kind and raw text. Dispatches on the first byte, so each token
/// runs the one scanner that can match it; words and punctuation, most tokens, are cut out
/// directly.
pub fn token(i: &str) -> LexResult<'_, (TokenKind, &str)> {
    let bytes = i.as_bytes();
    let (kind, len) = match bytes.first() {
        Some(b'a'..=b'z' | b'A'..=b'Z' | b'_') => (TokenKind::Word, word_len(bytes)),
        Some(b'\'') => return map(string, |t| (TokenKind::String, t)).parse(i),
        Some(b'"') => return map(quoted_ident, |t| (TokenKind::QuotedIdent, t)).parse(i),
        Some(b'0'..=b'9') => return map(number, |t| (TokenKind::Number, t)).parse(i),
        Some(b'$') if dollar_delimiter(i).is_some() => {
            return map(dollar_string, |t| (TokenKind::DollarString, t)).parse(i);
        }
        Some(b'=') => (TokenKind::Eq, 1),
        Some(b'(') => (TokenKind::LParen, 1),
        Some(b')') => (TokenKind::RParen, 1),
        Some(b',') => (TokenKind::Comma, 1),
        Some(b';') => (TokenKind::Semi, 1),
        Some(_) => {
            let len = i.chars().next().map_or(1, char::len_utf8);
            (TokenKind::Other, len)
        }
        None => {
            return Err(nom::Err::Error(LexError::from_error_kind(
                i,
                ErrorKind::Eof,
            )));
        }
    };
    Ok((&i[len..], (kind, &i[..len])))
}

/// The value of a quoted literal: outer quotes removed, doubled quotes made single.
pub fn unquote(raw: &str) -> Cow<'_, str> {
    let Some(quote) = raw.chars().next() else {
        return Cow::Borrowed(raw);
    };
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let doubled = if quote == '\'' { "''" } else { "\"\"" };
    // A quote inside a closed literal is always doubled: finding one byte (memchr) is enough
    // to know there is something to undo.
    if inner.as_bytes().contains(&doubled.as_bytes()[0]) {
        Cow::Owned(inner.replace(doubled, &doubled[..1]))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Writes `value` as a literal delimited by `quote`, doubling any quote inside.
pub fn write_quoted(out: &mut impl std::fmt::Write, value: &str, quote: char) -> std::fmt::Result {
    out.write_char(quote)?;
    for piece in value.split_inclusive(quote) {
        out.write_str(piece)?;
        if piece.ends_with(quote) {
            out.write_char(quote)?;
        }
    }
    out.write_char(quote)
}

/// Whether the text holds nothing but blanks.
pub fn is_blank(i: &str) -> bool {
    matches!(blanks(i), Ok(("", ())))
}

/// Where [`next_semicolon`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semicolon {
    /// Just past the first top-level `;`.
    Found(usize),
    /// A string, quoted name or block comment starting here runs to the end of the text.
    Open(LexErrorKind, usize),
    /// The text ends first, at a token boundary.
    NotYet,
}

/// The first `;` at or after `from` that is not inside a string, quoted name or comment, read
/// with the same primitives as every token: between those constructs only plain words,
/// numbers and punctuation can stand, and none of them holds a `;`, so the scan jumps to the
/// next byte that can start one. This is the statement splitter's hot path.
pub fn next_semicolon(text: &str, from: usize) -> Semicolon {
    let bytes = text.as_bytes();
    let mut pos = from;
    while let Some(k) = bytes[pos..]
        .iter()
        .position(|b| matches!(b, b';' | b'\'' | b'"' | b'-' | b'/' | b'$'))
    {
        let at = pos + k;
        let rest = &text[at..];
        let skipped = match bytes[at] {
            b';' => return Semicolon::Found(at + 1),
            b'\'' => string(rest),
            b'"' => quoted_ident(rest),
            b'-' if rest.starts_with("--") => line_comment(rest),
            b'/' if rest.starts_with("/*") => block_comment(rest),
            b'$' if dollar_delimiter(rest).is_some() => dollar_string(rest),
            _ => Ok((&rest[1..], "")),
        };
        match skipped {
            Ok((after, _)) => pos = text.len() - after.len(),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                return Semicolon::Open(e.kind, at);
            }
            Err(nom::Err::Incomplete(_)) => return Semicolon::NotYet,
        }
    }
    Semicolon::NotYet
}

/// What the shared walker sees: a run of blanks, a token, or a construct that is never closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Whitespace and comments.
    Blank,
    Token(TokenKind),
    /// A string, quoted name, dollar-quoted body or block comment that runs to the end of the
    /// text.
    Unterminated(LexErrorKind),
}

/// One piece of text and where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walked<'a> {
    pub piece: Piece,
    pub text: &'a str,
    pub start: usize,
}

impl Walked<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub fn is(&self, kind: TokenKind) -> bool {
        self.piece == Piece::Token(kind)
    }
}

/// The one token walker over raw SQL text, built on the parser's own primitives: the
/// statement splitter, secret masking and the REPL's highlighting all read text through it,
/// so none of them can disagree with the parser about where a string or comment ends.
pub struct Walk<'a> {
    text: &'a str,
    pos: usize,
}

/// Walks `text` from byte `from`.
pub fn walk(text: &str, from: usize) -> Walk<'_> {
    Walk { text, pos: from }
}

impl<'a> Iterator for Walk<'a> {
    type Item = Walked<'a>;

    fn next(&mut self) -> Option<Walked<'a>> {
        let rest = &self.text[self.pos..];
        if rest.is_empty() {
            return None;
        }
        let start = self.pos;
        let blank_start = match rest.as_bytes()[0] {
            b' ' | b'\n' | b'\t' | b'\r' => true,
            b'-' => rest.starts_with("--"),
            b'/' => rest.starts_with("/*"),
            b => !b.is_ascii(),
        };
        let scanned = if blank_start {
            blanks(rest)
        } else {
            Ok((rest, ()))
        };
        let (piece, len) = match scanned {
            Ok((after, ())) if after.len() < rest.len() => (Piece::Blank, rest.len() - after.len()),
            Ok(_) => match token(rest) {
                Ok((after, (kind, _))) => (Piece::Token(kind), rest.len() - after.len()),
                Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                    (Piece::Unterminated(e.kind), rest.len())
                }
                Err(nom::Err::Incomplete(_)) => (Piece::Token(TokenKind::Other), rest.len()),
            },
            // Blanks stopped at an unclosed block comment: the blanks before it come first.
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let at = rest.len() - e.at.len();
                if at > 0 {
                    (Piece::Blank, at)
                } else {
                    (
                        Piece::Unterminated(LexErrorKind::UnterminatedComment),
                        rest.len(),
                    )
                }
            }
            Err(nom::Err::Incomplete(_)) => (Piece::Blank, rest.len()),
        };
        self.pos += len;
        Some(Walked {
            piece,
            text: &self.text[start..start + len],
            start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &[(TokenKind, &str)]) {
        let mut rest = input;
        let mut got = Vec::new();
        loop {
            rest = blanks(rest).unwrap().0;
            if rest.is_empty() {
                break;
            }
            let (r, t) = token(rest).unwrap();
            got.push(t);
            rest = r;
        }
        assert_eq!(got, expect);
    }

    #[test]
    fn tokens_and_comments() {
        use TokenKind::*;
        check(
            "CREATE /* c */ s3 -- x\n 'it''s' \"My \"\"C\"\"\" = (1x,);é",
            &[
                (Word, "CREATE"),
                (Word, "s3"),
                (String, "'it''s'"),
                (QuotedIdent, "\"My \"\"C\"\"\""),
                (Eq, "="),
                (LParen, "("),
                (Number, "1x"),
                (Comma, ","),
                (RParen, ")"),
                (Semi, ";"),
                (Other, "é"),
            ],
        );
    }

    #[test]
    fn unquote_and_requote() {
        assert_eq!(unquote("'it''s'"), "it's");
        assert_eq!(unquote("\"a\"\"b\""), "a\"b");
        let mut s = String::new();
        write_quoted(&mut s, "it's", '\'').unwrap();
        assert_eq!(s, "'it''s'");
    }

    #[test]
    fn the_walker_covers_every_byte() {
        let text = "CREATE /* c */ x -- y\n 'a;b' \"q\" 'open";
        let pieces: Vec<Walked<'_>> = walk(text, 0).collect();
        assert_eq!(pieces.iter().map(|w| w.text).collect::<String>(), text);
        assert_eq!(
            pieces.last().map(|w| w.piece),
            Some(Piece::Unterminated(LexErrorKind::UnterminatedString))
        );
        let comment: Vec<Piece> = walk("a /* open", 0).map(|w| w.piece).collect();
        assert_eq!(
            comment,
            [
                Piece::Token(TokenKind::Word),
                Piece::Blank,
                Piece::Unterminated(LexErrorKind::UnterminatedComment)
            ]
        );
    }

    #[test]
    fn unterminated_constructs_name_their_start() {
        let err = token("'abc").unwrap_err();
        assert!(matches!(
            err,
            nom::Err::Failure(LexError {
                kind: LexErrorKind::UnterminatedString,
                at: "'abc"
            })
        ));
        let err = blanks("  /* abc").unwrap_err();
        assert!(matches!(
            err,
            nom::Err::Failure(LexError {
                kind: LexErrorKind::UnterminatedComment,
                ..
            })
        ));
    }
}
