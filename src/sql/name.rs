//! Names: a connection's, a job's, a table's parts. Bare names fold to lower case, quoted ones
//! keep their text, and a name prints bare only when it reads back as itself.

use std::fmt::{self, Write};

use super::lex::write_quoted;
use super::span::Span;

/// A connection name. Bare names fold to lower case; quoted names keep their text.
/// Two names are equal when their values are: `"lake"` and `LAKE` name the same connection.
#[derive(Clone, Debug, Eq)]
pub struct Ident {
    pub value: String,
    pub quoted: bool,
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Ident {
    pub fn new(value: impl Into<String>) -> Self {
        Ident {
            value: value.into(),
            quoted: false,
            span: Span::default(),
        }
    }

    /// Whether the name needs quotes to read back as itself.
    pub fn needs_quotes(value: &str) -> bool {
        super::words::needs_quotes(value)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ident(f, &self.value)
    }
}

/// Writes a name bare when it can be, quoted otherwise.
pub fn write_ident(out: &mut impl Write, value: &str) -> fmt::Result {
    if Ident::needs_quotes(value) {
        write_quoted(out, value, '"')
    } else {
        out.write_str(value)
    }
}

/// A dotted table name, `default_glue_catalog.db.orders`; each part folds like a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableName {
    pub parts: Vec<Ident>,
    pub span: Span,
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}
