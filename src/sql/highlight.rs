//! What each piece of a line is, for an editor's colours: keywords and option names, strings
//! (closed or not), and the rest. Read through the shared token walker, so it agrees with the
//! parser.

use super::job_spec::JobOption;
use super::lex::{self, Piece, TokenKind};
use super::options::OptionKey;
use super::spec::ConnectionOption;
use super::words::KEYWORDS;

/// The class of a piece of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A keyword, or the name of a connection or job option.
    Keyword,
    /// A string literal, closed or still open.
    String,
    Plain,
}

/// The line cut into pieces, each with its class; the pieces put together are the line.
pub fn classify(line: &str) -> impl Iterator<Item = (&str, Class)> {
    lex::walk(line, 0).map(|w| {
        let keyword = w.is(TokenKind::Word)
            && (KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w.text))
                || ConnectionOption::from_name(w.text).is_some()
                || JobOption::from_name(w.text).is_some());
        let class = match w.piece {
            _ if keyword => Class::Keyword,
            Piece::Token(TokenKind::String) | Piece::Unterminated(_) => Class::String,
            _ => Class::Plain,
        };
        (w.text, class)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_make_the_line_and_options_are_keywords() {
        let line = "create s3 connection x COMMENT = 'hi";
        let pieces: Vec<_> = classify(line).collect();
        assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), line);
        assert!(pieces.contains(&("COMMENT", Class::Keyword)));
        assert!(pieces.contains(&("'hi", Class::String)));
        assert!(pieces.contains(&("x", Class::Plain)));
        assert_eq!(classify("CONTENT_TYPE").next().unwrap().1, Class::Keyword);
    }
}
