//! Where statements come from (files, pipes, `-c` strings) and how they are read: one statement
//! at a time, each with its own text and where it starts, in time and memory linear in the
//! input whatever its line structure (a minified script is one long line).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor};
use std::path::PathBuf;
use std::sync::Arc;

mod feed;

pub use feed::ReaderFeed;

use crate::sql::diagnostic::{Diagnostic, DiagnosticKind, Source};
use crate::sql::split::Scanner;
use crate::sql::{Span, Statement, Step, parse_next};

/// An input, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
    /// The text of one `-c`, and its position among the `-c`s (1-based).
    Command(String, usize),
}

impl Input {
    /// Opens the input for reading: any readable file, FIFO or device; a directory is refused.
    pub fn open(&self) -> io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Input::File(path) => {
                if path.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "it is a directory",
                    ));
                }
                Box::new(BufReader::with_capacity(1 << 16, File::open(path)?))
            }
            Input::Stdin => Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            Input::Command(sql, _) => Box::new(Cursor::new(sql.clone().into_bytes())),
        })
    }

    /// The name diagnostics use: the path, `-`, or `<command N>`.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
            Input::Command(_, n) => format!("<command {n}>"),
        }
    }

    /// How the input is named in sentences.
    pub fn describe(&self) -> String {
        match self {
            Input::Stdin => "standard input".into(),
            other => other.name(),
        }
    }
}

/// One statement: its own text (from the end of the previous one to its `;`), where that text
/// starts, and what parsing made of it. Spans in `result` are byte offsets into `text`.
#[derive(Debug)]
pub struct Piece {
    /// 1-based position in the run, across inputs (set by whoever feeds the run).
    pub seq: usize,
    pub source_name: Arc<str>,
    pub text: String,
    /// 1-based line and character column of `text`'s first character in its input.
    pub first_line: usize,
    pub first_column: usize,
    pub result: Result<Statement, Diagnostic>,
}

impl Piece {
    pub fn source(&self) -> Source<'_> {
        Source {
            name: &self.source_name,
            text: &self.text,
            first_line: self.first_line,
            first_column: self.first_column,
        }
    }

    /// Where the statement starts: its first word, after any blanks and comments; for one that
    /// did not parse too (where it failed is its diagnostic's business), so that running the
    /// input again from there runs the whole statement.
    fn start(&self) -> usize {
        match &self.result {
            Ok(stmt) => stmt.span.start,
            Err(_) => match crate::sql::lex::blanks(&self.text) {
                Ok((rest, ())) => self.text.len() - rest.len(),
                Err(_) => 0,
            },
        }
    }

    /// `name:line:col` of the statement's start.
    pub fn location(&self) -> String {
        let (line, col) = self.source().line_col(self.start());
        format!("{}:{line}:{col}", self.source_name)
    }

    /// The 1-based line the statement's first word is on.
    pub fn line(&self) -> usize {
        self.source().line_col(self.start()).0
    }
}

/// Statements from a reader, parsed as they complete.
pub struct StatementReader<R> {
    reader: R,
    name: Arc<str>,
    /// Input read and not yet dropped; statements before `consumed` are done.
    buf: String,
    consumed: usize,
    /// Where the scanner goes on looking for the end of the statement at `consumed`.
    scan_from: usize,
    scanner: Scanner,
    /// Line and character column of `consumed`.
    line: usize,
    column: usize,
    /// Bytes of input dropped from the front of `buf`, for error offsets.
    dropped: u64,
    eof: bool,
    /// Set once the input is used up or unreadable.
    finished: bool,
    raw: Vec<u8>,
}

impl<R: BufRead> StatementReader<R> {
    pub fn new(reader: R, name: &str) -> Self {
        StatementReader {
            reader,
            name: Arc::from(name),
            buf: String::new(),
            consumed: 0,
            scan_from: 0,
            scanner: Scanner::new(),
            line: 1,
            column: 1,
            dropped: 0,
            eof: false,
            finished: false,
            raw: Vec::new(),
        }
    }

    /// Reads one more line into `buf`; `Err` carries a piece describing bad input.
    fn read_line(&mut self) -> Result<(), Box<Piece>> {
        self.raw.clear();
        match self.reader.read_until(b'\n', &mut self.raw) {
            Ok(0) => self.eof = true,
            Ok(_) => match std::str::from_utf8(&self.raw) {
                Ok(text) => self.buf.push_str(text),
                Err(e) => return Err(Box::new(self.invalid_utf8(e.valid_up_to()))),
            },
            Err(e) => return Err(Box::new(self.io_error(&e))),
        }
        Ok(())
    }

    fn piece(&self, text: String, result: Result<Statement, Diagnostic>) -> Piece {
        Piece {
            seq: 0,
            source_name: self.name.clone(),
            text,
            first_line: self.line,
            first_column: self.column,
            result,
        }
    }

    fn invalid_utf8(&mut self, valid: usize) -> Piece {
        self.finished = true;
        let pending = &self.buf[self.consumed..];
        let offset = self.dropped + self.buf.len() as u64 + valid as u64;
        let mut text = pending.to_string();
        let start = text.len() + valid;
        text.push_str(&String::from_utf8_lossy(&self.raw));
        let byte = self.raw[valid];
        let diag = Diagnostic::error(
            DiagnosticKind::InvalidUtf8,
            Span::new(start, start + '\u{fffd}'.len_utf8()),
            format!("the input is not valid UTF-8: byte 0x{byte:02x} at byte offset {offset}"),
        )
        .with_label("not UTF-8")
        .with_help("save the file as UTF-8 (for example with `iconv -t UTF-8`)");
        self.piece(text, Err(diag))
    }

    fn io_error(&mut self, e: &io::Error) -> Piece {
        self.finished = true;
        let text = self.buf[self.consumed..].to_string();
        let end = text.len();
        let diag = Diagnostic::error(
            DiagnosticKind::UnreadableInput,
            Span::new(end, end),
            format!("cannot read {}: {e}", self.name),
        );
        self.piece(text, Err(diag))
    }

    /// Moves past the statement text up to `next`, keeping the line and column of the new
    /// start, and drops consumed text once it is most of the buffer (so each byte moves at
    /// most a few times, whatever the line structure).
    fn advance(&mut self, next: usize) {
        let done = &self.buf[self.consumed..next];
        match done.rfind('\n') {
            Some(last) => {
                self.line += done.bytes().filter(|&b| b == b'\n').count();
                self.column = done[last + 1..].chars().count() + 1;
            }
            None => self.column += done.chars().count(),
        }
        self.consumed = next;
        self.scan_from = next;
        self.scanner = Scanner::new();
        if self.consumed > 64 * 1024 && self.consumed * 2 > self.buf.len() {
            self.buf.drain(..self.consumed);
            self.dropped += self.consumed as u64;
            self.scan_from -= self.consumed;
            self.consumed = 0;
        }
    }
}

impl<R: BufRead> Iterator for StatementReader<R> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.finished {
            return None;
        }
        loop {
            let found = if self.eof {
                None
            } else {
                self.scanner.find_end(&self.buf, self.scan_from)
            };
            if self.eof || found.is_some() {
                let rest = &self.buf[self.consumed..];
                match parse_next(rest, 0, self.eof) {
                    Step::Done => {
                        self.finished = true;
                        return None;
                    }
                    Step::Empty { next } => {
                        self.advance(self.consumed + next);
                        continue;
                    }
                    Step::Parsed { result, next } => {
                        let piece = self.piece(rest[..next].to_string(), result);
                        self.advance(self.consumed + next);
                        return Some(piece);
                    }
                    // A `;` inside a construct of another dialect: scan on from just after it.
                    Step::NeedMore => {
                        self.scan_from = found.unwrap_or(self.buf.len());
                        self.scanner = Scanner::new();
                    }
                }
            } else {
                self.scan_from = self.buf.len();
            }
            if let Err(piece) = self.read_line() {
                return Some(*piece);
            }
        }
    }
}

/// One thing from the input: a statement, or an input that could not be read (which ends it).
pub enum Item {
    Statement(Piece),
    Unreadable { input: String, error: String },
}

/// Where statements come from.
pub trait Feed {
    /// Up to `max` items, at least one unless the input is used up (or a signal is pending).
    fn window(&mut self, max: usize) -> Vec<Item>;

    /// After a run stopped early: what input is left, without waiting long for it.
    fn rest(&mut self) -> Rest;
}

/// What [`Feed::rest`] found.
pub enum Rest {
    Nothing,
    /// The input is still open but nothing has arrived yet.
    Unknown,
    Next(Item),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], expect: &[(&str, &str)]) {
        let got: Vec<(String, String)> = StatementReader::new(input, "t.sql")
            .map(|p| {
                let shown = match &p.result {
                    Ok(stmt) => stmt.to_string(),
                    Err(d) => format!("error[{}]", d.kind),
                };
                (shown, p.location())
            })
            .collect();
        let expect: Vec<(String, String)> = expect
            .iter()
            .map(|(s, l)| (s.to_string(), l.to_string()))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn statements_and_their_places() {
        check(
            b"SHOW CONNECTIONS; DROP CONNECTION a;\n\n-- c\nCREATE S3 CONNECTION b\n  COMMENT = 'x;\ny';\nDROP CONNECTION c",
            &[
                ("SHOW CONNECTIONS", "t.sql:1:1"),
                ("DROP CONNECTION a", "t.sql:1:19"),
                ("CREATE S3 CONNECTION b COMMENT = 'x;\ny'", "t.sql:4:1"),
                ("DROP CONNECTION c", "t.sql:7:1"),
            ],
        );
    }

    #[test]
    fn a_semicolon_inside_a_dollar_string_is_read_past() {
        check(
            b"CREATE FUNCTION f() AS $$ a; 'b $$; SHOW CONNECTIONS;\nDROP CONNECTION x;\n",
            &[
                ("error[unsupported-statement]", "t.sql:1:1"),
                ("SHOW CONNECTIONS", "t.sql:1:37"),
                ("DROP CONNECTION x", "t.sql:2:1"),
            ],
        );
    }

    #[test]
    fn a_statement_holds_its_own_text_only() {
        let line: String = (0..3000)
            .map(|i| format!("DROP CONNECTION c{i};"))
            .collect();
        let pieces: Vec<Piece> = StatementReader::new(line.as_bytes(), "t.sql").collect();
        assert_eq!(pieces.len(), 3000);
        assert!(
            pieces.iter().all(|p| p.text.len() <= 22),
            "texts are not lines"
        );
        assert_eq!(
            pieces[2999].location(),
            format!("t.sql:1:{}", line.len() - 21)
        );
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let pieces: Vec<Piece> =
            StatementReader::new(&b"SHOW CONNECTIONS;\nDROP CONNECTION \xff;\n"[..], "t.sql")
                .collect();
        assert_eq!(pieces.len(), 2);
        let diag = pieces[1].result.as_ref().unwrap_err();
        assert_eq!(diag.kind, DiagnosticKind::InvalidUtf8);
        assert!(diag.message.contains("byte offset 34"), "{}", diag.message);
        // The statement starts at its first word; the diagnostic points at the byte.
        assert_eq!(pieces[1].location(), "t.sql:2:1");
    }
}
