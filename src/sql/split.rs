//! Finds where statements end: the first `;` outside strings, quoted identifiers and comments.
//! Resumable, so input can arrive a line at a time (batch from a pipe, the REPL).

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Normal,
    SingleQuoted,
    DoubleQuoted,
    LineComment,
    BlockComment,
}

/// Scanner state carried between calls; feed it text that only ever grows at the end.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scanner {
    state: State,
}

impl Scanner {
    pub fn new() -> Self {
        Scanner::default()
    }

    /// Scans `text[from..]` and returns the offset just past the first top-level `;`, resetting
    /// the state; or `None` when the text ends first, keeping the state for more text.
    ///
    /// Two-character markers (`--`, `/*`, `*/`) are never split across calls when text is fed
    /// in whole lines, since none of them contains a newline.
    pub fn find_end(&mut self, text: &str, from: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            match self.state {
                State::Normal => match b {
                    b';' => {
                        self.state = State::Normal;
                        return Some(i + 1);
                    }
                    b'\'' => self.state = State::SingleQuoted,
                    b'"' => self.state = State::DoubleQuoted,
                    b'-' if next == Some(b'-') => {
                        self.state = State::LineComment;
                        i += 1;
                    }
                    b'/' if next == Some(b'*') => {
                        self.state = State::BlockComment;
                        i += 1;
                    }
                    _ => {}
                },
                // A doubled quote leaves and re-enters the literal: same outcome for splitting.
                State::SingleQuoted if b == b'\'' => self.state = State::Normal,
                State::DoubleQuoted if b == b'"' => self.state = State::Normal,
                State::LineComment if b == b'\n' => self.state = State::Normal,
                State::BlockComment if b == b'*' && next == Some(b'/') => {
                    self.state = State::Normal;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Whether the text so far ends inside a string, quoted identifier or block comment.
    pub fn in_literal(&self) -> bool {
        matches!(
            self.state,
            State::SingleQuoted | State::DoubleQuoted | State::BlockComment
        )
    }
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
        check(";;", &[";", ";", ""]);
    }

    #[test]
    fn resumes_across_lines() {
        let mut scanner = Scanner::new();
        let mut text = String::from("CREATE 'multi\n");
        assert_eq!(scanner.find_end(&text, 0), None);
        assert!(scanner.in_literal());
        let from = text.len();
        text.push_str("line;' x;\n");
        assert_eq!(scanner.find_end(&text, from), Some(text.len() - 1));
    }
}
