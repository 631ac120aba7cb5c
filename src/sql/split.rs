//! Finds where statements end: the first `;` outside strings, quoted names and comments, read
//! with the lexer's own primitives (`lex::next_semicolon`). Resumable, so input can arrive a line at a time (batch from
//! a pipe, the REPL) and a statement is scanned once however many lines it spans.

use super::lex::{LexErrorKind, Semicolon, next_semicolon};

/// Where the scan stopped in text that may still grow at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Open {
    /// At a token boundary: go on walking from there.
    #[default]
    Boundary,
    /// Inside a string or quoted name that began at `start`; everything up to `scanned` holds
    /// no closing quote (doubled quotes are pairs, since text is fed in whole lines).
    Quoted {
        start: usize,
        quote: u8,
        scanned: usize,
    },
    /// Inside a block comment; no `*/` before `scanned`.
    Comment { scanned: usize },
    /// Inside a dollar-quoted body whose delimiter (`$tag$`) starts at `start` and is `len`
    /// bytes long; no closing delimiter before `scanned`.
    Dollar {
        start: usize,
        len: usize,
        scanned: usize,
    },
}

/// Scanner state carried between calls; feed it text that only ever grows at the end, starting
/// from where the previous call stopped.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scanner {
    open: Open,
    /// Where walking resumes when at a boundary.
    resume: usize,
}

impl Scanner {
    pub fn new() -> Self {
        Scanner::default()
    }

    /// Scans on from `from` (or from where the last call stopped, whichever is later) and
    /// returns the offset just past the first top-level `;`, resetting the state; or `None` when
    /// the text ends first, keeping the state for more text.
    pub fn find_end(&mut self, text: &str, from: usize) -> Option<usize> {
        let pos = match self.open {
            Open::Boundary => from.max(self.resume),
            Open::Quoted {
                start,
                quote,
                scanned,
            } => match close_quote(text, scanned, quote) {
                Some(after) => after,
                None => {
                    self.open = Open::Quoted {
                        start,
                        quote,
                        scanned: text.len(),
                    };
                    return None;
                }
            },
            Open::Dollar {
                start,
                len,
                scanned,
            } => {
                let delimiter = &text[start..start + len];
                // The delimiter may straddle where the last scan stopped.
                let from = scanned.saturating_sub(len - 1).max(start + len);
                match text[from..].find(delimiter) {
                    Some(k) => from + k + len,
                    None => {
                        self.open = Open::Dollar {
                            start,
                            len,
                            scanned: text.len(),
                        };
                        return None;
                    }
                }
            }
            Open::Comment { scanned } => match text[scanned.saturating_sub(1)..].find("*/") {
                Some(k) => scanned.saturating_sub(1) + k + 2,
                None => {
                    self.open = Open::Comment {
                        scanned: text.len(),
                    };
                    return None;
                }
            },
        };
        self.open = Open::Boundary;
        match next_semicolon(text, pos) {
            Semicolon::Found(end) => {
                *self = Scanner::default();
                Some(end)
            }
            Semicolon::Open(kind, start) => {
                let scanned = text.len();
                self.open = match kind {
                    LexErrorKind::UnterminatedComment => Open::Comment { scanned },
                    LexErrorKind::UnterminatedDollar => Open::Dollar {
                        start,
                        len: super::lex::dollar_delimiter(&text[start..]).map_or(1, str::len),
                        scanned,
                    },
                    LexErrorKind::UnterminatedIdentifier => Open::Quoted {
                        start,
                        quote: b'"',
                        scanned,
                    },
                    _ => Open::Quoted {
                        start,
                        quote: b'\'',
                        scanned,
                    },
                };
                None
            }
            Semicolon::NotYet => {
                self.resume = text.len();
                None
            }
        }
    }

    /// Whether the text so far ends inside a string, quoted identifier or block comment.
    pub fn in_literal(&self) -> bool {
        self.open != Open::Boundary
    }
}

/// The offset just past the quote that closes a literal, searching from `from` (a position
/// inside its body), or `None` when the text ends first.
fn close_quote(text: &str, from: usize, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(k) = memchr(quote, &bytes[i..]) {
        let at = i + k;
        if bytes.get(at + 1) == Some(&quote) {
            i = at + 2;
        } else {
            return Some(at + 1);
        }
    }
    None
}

fn memchr(b: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&x| x == b)
}

/// Offset just past the first top-level `;` at or after `from`, if any.
pub fn statement_end(text: &str, from: usize) -> Option<usize> {
    Scanner::new().find_end(text, from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &[&str]) {
        let mut pieces = Vec::new();
        let mut from = 0;
        while let Some(end) = statement_end(input, from) {
            pieces.push(&input[from..end]);
            from = end;
        }
        pieces.push(&input[from..]);
        assert_eq!(pieces, expect);
    }

    #[test]
    fn splits_outside_literals_and_comments() {
        check("a;b", &["a;", "b"]);
        check("a 'x;y' \"p;q\";b", &["a 'x;y' \"p;q\";", "b"]);
        check(
            "a -- c;\n d; /* ; */ e;",
            &["a -- c;\n d;", " /* ; */ e;", ""],
        );
        check("'it''s;';", &["'it''s;';", ""]);
        check(
            "a $$x;y$$; $t$ ; $$ ; $t$;",
            &["a $$x;y$$;", " $t$ ; $$ ; $t$;", ""],
        );
        check("$event_time; $1;", &["$event_time;", " $1;", ""]);
        check(";;", &[";", ";", ""]);
    }

    #[test]
    fn resumes_across_lines() {
        let mut scanner = Scanner::new();
        let mut text = String::from("CREATE 'multi\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        assert!(scanner.in_literal());
        text.push_str("it''s\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        text.push_str("line;' x;\n");
        assert_eq!(scanner.find_end(&text, 0), Some(text.len() - 1));
        let mut scanner = Scanner::new();
        let mut text = String::from("a /* open ;\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        text.push_str("still; */ b;\n");
        assert_eq!(scanner.find_end(&text, 0), Some(text.len() - 1));
        let mut scanner = Scanner::new();
        let mut text = String::from("CREATE x\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        text.push_str("COMMENT = 'y';\n");
        assert_eq!(scanner.find_end(&text, 0), Some(text.len() - 1));
        let mut scanner = Scanner::new();
        let mut text = String::from("x = $tag$ a;\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        text.push_str("b $ta");
        assert_eq!(scanner.find_end(&text, 0), None);
        text.push_str("g$;\n");
        assert_eq!(scanner.find_end(&text, 0), Some(text.len() - 1));
    }
}
