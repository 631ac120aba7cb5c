//! Masks secret values in raw statement text, for text that may not parse (REPL history).
//! Parsed statements are printed through `ast::Redacted` instead.

use std::borrow::Cow;

use super::ast::MASK;
use super::lex::{self, TokenKind};
use super::options::OptionKey;

/// `text` with the value after every secret option's `=` replaced by `'********'`. Text that
/// cannot be lexed past a secret option is masked to its end.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // 0: looking for a secret option; 1: saw one; 2: saw its `=`.
    let mut state = 0;
    loop {
        let after_blanks = match lex::blanks(rest) {
            Ok((r, ())) => r,
            Err(_) => {
                out.push_str(rest);
                return out;
            }
        };
        out.push_str(&rest[..rest.len() - after_blanks.len()]);
        rest = after_blanks;
        if rest.is_empty() {
            return out;
        }
        let Ok((after, (kind, raw))) = lex::token(rest) else {
            // An unterminated literal: mask it whole if a secret may be inside.
            if state == 2 {
                out.push_str(&format!("'{MASK}'"));
            } else {
                out.push_str(rest);
            }
            return out;
        };
        match (state, kind) {
            (
                2,
                TokenKind::String | TokenKind::Word | TokenKind::Number | TokenKind::QuotedIdent,
            ) => {
                out.push_str(&format!("'{MASK}'"));
                state = 0;
            }
            (1, TokenKind::Eq) => {
                out.push_str(raw);
                state = 2;
            }
            _ => {
                out.push_str(raw);
                state = usize::from(
                    kind == TokenKind::Word
                        && OptionKey::from_name(raw).is_some_and(OptionKey::is_secret),
                );
            }
        }
        rest = after;
    }
}

/// `text` with every secret value's characters replaced in place, keeping each character's
/// byte length, so spans into the text stay valid: for showing source lines in diagnostics.
pub fn mask_in_place(text: &str) -> Cow<'_, str> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut rest = text;
    let mut state = 0;
    loop {
        rest = match lex::blanks(rest) {
            Ok((r, ())) => r,
            Err(_) => break,
        };
        if rest.is_empty() {
            break;
        }
        let start = text.len() - rest.len();
        let Ok((after, (kind, raw))) = lex::token(rest) else {
            // An unterminated literal after a secret's `=`: mask to the end.
            if state == 2 {
                ranges.push((start + 1, text.len()));
            }
            break;
        };
        match (state, kind) {
            (2, TokenKind::String | TokenKind::QuotedIdent) => {
                ranges.push((start + 1, start + raw.len() - 1));
                state = 0;
            }
            (2, _) => {
                ranges.push((start, start + raw.len()));
                state = 0;
            }
            (1, TokenKind::Eq) => state = 2,
            _ => {
                state = usize::from(
                    kind == TokenKind::Word
                        && OptionKey::from_name(raw).is_some_and(OptionKey::is_secret),
                )
            }
        }
        rest = after;
    }
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to) in ranges {
        out.push_str(&text[at..from]);
        for c in text[from..to].chars() {
            out.push(match c.len_utf8() {
                1 => '*',
                2 => '¤',
                3 => '•',
                _ => '🔒',
            });
        }
        at = to;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_in_place_keeping_offsets() {
        let text = "X AWS_SECRET_ACCESS_KEY = 'abé' BOGUS = 1\n";
        let masked = mask_in_place(text);
        assert_eq!(masked, "X AWS_SECRET_ACCESS_KEY = '**¤' BOGUS = 1\n");
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            mask_in_place("ENCRYPTION_CUSTOMER_MANAGED_KEY = 'open"),
            "ENCRYPTION_CUSTOMER_MANAGED_KEY = '****"
        );
        assert!(matches!(mask_in_place("COMMENT = 'x'"), Cow::Borrowed(_)));
    }

    #[test]
    fn masks_secret_values_only() {
        assert_eq!(
            redact_text(
                "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIA' aws_secret_access_key='s3cr''et' BAD"
            ),
            "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIA' aws_secret_access_key='********' BAD"
        );
        assert_eq!(
            redact_text("x ENCRYPTION_CUSTOMER_MANAGED_KEY = 'abc"),
            "x ENCRYPTION_CUSTOMER_MANAGED_KEY = '********'"
        );
        assert_eq!(
            redact_text("COMMENT = 'AWS_SECRET_ACCESS_KEY = x'"),
            "COMMENT = 'AWS_SECRET_ACCESS_KEY = x'"
        );
    }
}
