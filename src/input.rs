//! Reads statements from a file, a pipe or a string one at a time: memory holds the statement
//! being read, never the whole input.

use std::io::{self, BufRead};
use std::sync::Arc;

use crate::sql::diagnostic::{Diagnostic, DiagnosticKind, Source};
use crate::sql::split::Scanner;
use crate::sql::{Span, Statement, Step, parse_next};

/// One statement's text (from the start of its first line) and what parsing made of it.
/// Spans in `result` are byte offsets into `text`.
#[derive(Debug)]
pub struct Piece {
    pub source_name: Arc<str>,
    pub text: String,
    /// 1-based line of `text`'s first line in the input.
    pub first_line: usize,
    pub result: Result<Statement, Diagnostic>,
}

impl Piece {
    pub fn source(&self) -> Source<'_> {
        Source {
            name: &self.source_name,
            text: &self.text,
            first_line: self.first_line,
        }
    }

    /// `name:line:col` of the statement's start.
    pub fn location(&self) -> String {
        let offset = match &self.result {
            Ok(stmt) => stmt.span.start,
            Err(diag) => diag.span.start,
        };
        let (line, col) = self.source().line_col(offset);
        format!("{}:{line}:{col}", self.source_name)
    }
}

/// Statements from a reader, parsed as they complete.
pub struct StatementReader<R> {
    reader: R,
    name: Arc<str>,
    /// Unparsed input, starting at the beginning of a line.
    buf: String,
    /// Line number of `buf`'s first line.
    buf_line: usize,
    /// Where the next statement starts in `buf`.
    consumed: usize,
    /// How far `scanner` has looked for the next `;`.
    scanned: usize,
    scanner: Scanner,
    /// Bytes of input before `buf`, for error offsets.
    base_offset: u64,
    eof: bool,
    /// Set once the input is used up or unreadable.
    finished: bool,
    line: Vec<u8>,
}

impl<R: BufRead> StatementReader<R> {
    pub fn new(reader: R, name: &str) -> Self {
        StatementReader {
            reader,
            name: Arc::from(name),
            buf: String::new(),
            buf_line: 1,
            consumed: 0,
            scanned: 0,
            scanner: Scanner::new(),
            base_offset: 0,
            eof: false,
            finished: false,
            line: Vec::new(),
        }
    }

    /// Reads one more line into `buf`; `Err` carries a piece describing bad input.
    fn read_line(&mut self) -> Result<(), Box<Piece>> {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line) {
            Ok(0) => self.eof = true,
            Ok(_) => match std::str::from_utf8(&self.line) {
                Ok(text) => self.buf.push_str(text),
                Err(e) => return Err(Box::new(self.invalid_utf8(e.valid_up_to()))),
            },
            Err(e) => return Err(Box::new(self.io_error(&e))),
        }
        Ok(())
    }

    fn invalid_utf8(&mut self, valid: usize) -> Piece {
        self.finished = true;
        let offset = self.base_offset + self.buf.len() as u64 + valid as u64;
        let mut text = self.buf.clone();
        let start = text.len() + valid;
        text.push_str(&String::from_utf8_lossy(&self.line));
        let byte = self.line[valid];
        let diag = Diagnostic::error(
            DiagnosticKind::InvalidUtf8,
            Span::new(start, start + '\u{fffd}'.len_utf8()),
            format!("the input is not valid UTF-8: byte 0x{byte:02x} at byte offset {offset}"),
        )
        .with_label("not UTF-8")
        .with_help("save the file as UTF-8 (for example with `iconv -t UTF-8`)");
        Piece {
            source_name: self.name.clone(),
            text,
            first_line: self.buf_line,
            result: Err(diag),
        }
    }

    fn io_error(&mut self, e: &io::Error) -> Piece {
        self.finished = true;
        let end = self.buf.len();
        let diag = Diagnostic::error(
            DiagnosticKind::Syntax,
            Span::new(end, end),
            format!("cannot read {}: {e}", self.name),
        );
        Piece {
            source_name: self.name.clone(),
            text: self.buf.clone(),
            first_line: self.buf_line,
            result: Err(diag),
        }
    }

    /// Forgets the lines before `next`, keeping `buf` aligned on a line start.
    fn advance(&mut self, next: usize) {
        let cut = self.buf[..next].rfind('\n').map_or(0, |i| i + 1);
        self.buf_line += self.buf[..cut].bytes().filter(|&b| b == b'\n').count();
        self.base_offset += cut as u64;
        self.buf.drain(..cut);
        self.consumed = next - cut;
        self.scanned = self.consumed;
        self.scanner = Scanner::new();
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
                self.scanner.find_end(&self.buf, self.scanned)
            };
            if self.eof || found.is_some() {
                match parse_next(&self.buf, self.consumed, self.eof) {
                    Step::Done => {
                        self.finished = true;
                        return None;
                    }
                    Step::Empty { next } => {
                        self.advance(next);
                        continue;
                    }
                    Step::Parsed { result, next } => {
                        let piece = Piece {
                            source_name: self.name.clone(),
                            text: self.buf[..next].to_string(),
                            first_line: self.buf_line,
                            result,
                        };
                        self.advance(next);
                        return Some(piece);
                    }
                    // A `;` inside a construct of another dialect: scan on from just after it.
                    Step::NeedMore => self.scanned = found.unwrap_or(self.buf.len()),
                }
            } else {
                self.scanned = self.buf.len();
            }
            if let Err(piece) = self.read_line() {
                return Some(*piece);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &[u8], expect: &[(&str, usize)]) {
        let got: Vec<(String, usize)> = StatementReader::new(input, "t.sql")
            .map(|p| {
                let shown = match &p.result {
                    Ok(stmt) => stmt.to_string(),
                    Err(d) => format!("error[{}]", d.kind),
                };
                let (line, _) = p.source().line_col(match &p.result {
                    Ok(s) => s.span.start,
                    Err(d) => d.span.start,
                });
                (shown, line)
            })
            .collect();
        let expect: Vec<(String, usize)> =
            expect.iter().map(|(s, l)| (s.to_string(), *l)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn statements_and_their_lines() {
        check(
            b"SHOW CONNECTIONS; DROP CONNECTION a;\n\n-- c\nCREATE S3 CONNECTION b\n  COMMENT = 'x;\ny';\nDROP CONNECTION c",
            &[
                ("SHOW CONNECTIONS", 1),
                ("DROP CONNECTION a", 1),
                ("CREATE S3 CONNECTION b COMMENT = 'x;\ny'", 4),
                ("DROP CONNECTION c", 7),
            ],
        );
    }

    #[test]
    fn a_semicolon_inside_a_dollar_string_is_read_past() {
        check(
            b"CREATE FUNCTION f() AS $$ a; 'b $$; SHOW CONNECTIONS;\nDROP CONNECTION x;\n",
            &[
                ("error[unsupported-statement]", 1),
                ("SHOW CONNECTIONS", 1),
                ("DROP CONNECTION x", 2),
            ],
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
        assert_eq!(pieces[1].location(), "t.sql:2:17");
    }
}
