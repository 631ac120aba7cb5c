//! An option setting as written: `NAME = value`, its value in any shape the parser reads
//! (strings, lists, booleans, words, numbers, quoted names, intervals, groups, timestamps),
//! and a statement's options over any option table, equal whatever their order.

use std::fmt::{self, Write};

use super::lex::write_quoted;
use super::name::Ident;
use super::options::{OptionKey, ValueKind};
use super::span::Span;
use super::words::MASK;

/// A single-quoted string literal, unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

impl StringLit {
    pub fn new(value: impl Into<String>) -> Self {
        StringLit {
            value: value.into(),
            span: Span::default(),
        }
    }
}

impl fmt::Display for StringLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.value, '\'')
    }
}

/// An option value as written. The parser accepts any of these shapes after `=`; the checks
/// decide whether the shape fits the option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    String(StringLit),
    List(Vec<StringLit>, Span),
    Bool(bool, Span),
    /// A bare word other than TRUE or FALSE, such as `YES` or `PARQUET`.
    Word(String, Span),
    Number(String, Span),
    /// A double-quoted name used as a value: `COMPUTE_CLUSTER = "Default Compute"`.
    Quoted(String, Span),
    /// A number and a time unit: `1 MINUTE`.
    Interval {
        amount: String,
        unit: String,
        span: Span,
    },
    /// `(KEY = value …)`, as in `FILE_FORMAT = (TYPE = CSV)`.
    Group(Vec<GroupSetting>, Span),
    /// `TIMESTAMP '2024-01-31 00:00:00'`
    Timestamp(StringLit, Span),
    /// A parenthesised list of names: `COLUMNS = (id, "Event Time")`.
    Names(Vec<Ident>, Span),
    /// `(column = expression, …)`: `COLUMN_TRANSFORMATIONS = (email_hash = MD5(email))`.
    Transformations(Vec<Transformation>, Span),
}

/// One `column = expression` of `COLUMN_TRANSFORMATIONS`; the expression in sqlparser's
/// canonical print (which reads back to the same expression).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transformation {
    pub column: Ident,
    pub expression: String,
    pub span: Span,
}

/// One `KEY = value` inside a group value; the key is kept upper case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSetting {
    pub name: String,
    pub value: Value,
    pub span: Span,
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::String(s) => s.span,
            Value::List(_, span)
            | Value::Bool(_, span)
            | Value::Word(_, span)
            | Value::Number(_, span)
            | Value::Quoted(_, span)
            | Value::Interval { span, .. }
            | Value::Group(_, span)
            | Value::Timestamp(_, span)
            | Value::Names(_, span)
            | Value::Transformations(_, span) => *span,
        }
    }

    /// What kind of value this is, for messages (never its text: it may be a secret).
    pub fn shape(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::List(..) => "a list",
            Value::Bool(..) => "a boolean",
            Value::Word(..) => "a bare word",
            Value::Number(..) => "a number",
            Value::Quoted(..) => "a quoted name",
            Value::Interval { .. } => "an interval",
            Value::Group(..) => "a group",
            Value::Timestamp(..) => "a timestamp",
            Value::Names(..) => "a list of names",
            Value::Transformations(..) => "a list of transformations",
        }
    }

    pub(crate) fn write(&self, f: &mut impl Write, secret: bool) -> fmt::Result {
        self.write_grouped(f, secret, " ")
    }

    /// As [`Value::write`], a group's settings separated by `between` (`", "` for an option of
    /// `ValueKind::Settings`).
    pub(crate) fn write_grouped(
        &self,
        f: &mut impl Write,
        secret: bool,
        between: &str,
    ) -> fmt::Result {
        if secret {
            return write!(f, "'{MASK}'");
        }
        match self {
            Value::String(s) => write_quoted(f, &s.value, '\''),
            Value::List(items, _) => {
                parenthesised(f, items, |f, item| write_quoted(f, &item.value, '\''))
            }
            Value::Bool(b, _) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Word(w, _) | Value::Number(w, _) => f.write_str(w),
            Value::Quoted(q, _) => write_quoted(f, q, '"'),
            Value::Interval { amount, unit, .. } => write!(f, "{amount} {unit}"),
            Value::Group(items, _) => {
                f.write_char('(')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(between)?;
                    }
                    write!(f, "{} = ", item.name)?;
                    item.value.write(f, false)?;
                }
                f.write_char(')')
            }
            Value::Timestamp(s, _) => write!(f, "TIMESTAMP {s}"),
            Value::Names(names, _) => parenthesised(f, names, |f, name| write!(f, "{name}")),
            Value::Transformations(items, _) => parenthesised(f, items, |f, t| {
                write!(f, "{} = {}", t.column, t.expression)
            }),
        }
    }
}

/// `(a, b, …)`: each item written by `each`, separated by commas.
pub(super) fn parenthesised<W: Write, T>(
    f: &mut W,
    items: &[T],
    mut each: impl FnMut(&mut W, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_char('(')?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    f.write_char(')')
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// An option's name as written: one of the table's, or an unknown word kept for the checks.
#[derive(Clone, Debug)]
pub enum OptionName<K> {
    Known(K, Span),
    Unknown(String, Span),
}

impl<K: OptionKey> PartialEq for OptionName<K> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (OptionName::Known(a, _), OptionName::Known(b, _)) => a == b,
            (OptionName::Unknown(a, _), OptionName::Unknown(b, _)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }
}

impl<K: OptionKey> Eq for OptionName<K> {}

impl<K: OptionKey> OptionName<K> {
    pub fn span(&self) -> Span {
        match self {
            OptionName::Known(_, span) | OptionName::Unknown(_, span) => *span,
        }
    }

    pub fn key(&self) -> Option<K> {
        match self {
            OptionName::Known(key, _) => Some(*key),
            OptionName::Unknown(..) => None,
        }
    }

    /// Whether this is the option called `name` (upper case), known or not.
    pub fn is_known_as(&self, name: &str) -> bool {
        match self {
            OptionName::Known(key, _) => key.name() == name,
            OptionName::Unknown(written, _) => written.eq_ignore_ascii_case(name),
        }
    }

    /// Position in canonical order: the table's order, unknown names last.
    fn rank(&self) -> usize {
        self.key().map_or(K::table().len(), |k| k.index())
    }
}

impl<K: OptionKey> fmt::Display for OptionName<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionName::Known(key, _) => f.write_str(key.name()),
            OptionName::Unknown(name, _) => f.write_str(&name.to_ascii_uppercase()),
        }
    }
}

/// `NAME = value`
#[derive(Clone, Debug)]
pub struct OptionSetting<K> {
    pub name: OptionName<K>,
    pub value: Value,
}

impl<K: OptionKey> PartialEq for OptionSetting<K> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.value == other.value
    }
}

impl<K: OptionKey> Eq for OptionSetting<K> {}

impl<K: OptionKey> OptionSetting<K> {
    pub fn new(key: K, value: Value) -> Self {
        OptionSetting {
            name: OptionName::Known(key, Span::default()),
            value,
        }
    }

    pub fn span(&self) -> Span {
        self.name.span().to(self.value.span())
    }

    /// Whether the value is masked when redacted: the option is secret, or an unknown name
    /// that looks like a secret's (`AWS_SECRET_ACESS_KEY`), as raw text is masked (`redact`).
    pub fn is_secret(&self) -> bool {
        match &self.name {
            OptionName::Known(key, _) => key.is_secret(),
            OptionName::Unknown(name, _) => K::name_looks_secret(name),
        }
    }
}

/// Options in the order written. Equality ignores order, as the statement's meaning does.
#[derive(Clone, Debug)]
pub struct Options<K>(pub Vec<OptionSetting<K>>);

impl<K> Default for Options<K> {
    fn default() -> Self {
        Options(Vec::new())
    }
}

impl<K: OptionKey> Options<K> {
    /// The options in canonical order (stable for unknown names and repeats).
    pub fn canonical(&self) -> Vec<&OptionSetting<K>> {
        let mut sorted: Vec<&OptionSetting<K>> = self.0.iter().collect();
        sorted.sort_by_key(|o| o.name.rank());
        sorted
    }

    pub fn get(&self, key: K) -> Option<&OptionSetting<K>> {
        self.0.iter().find(|o| o.name.key() == Some(key))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes ` NAME = value` for each option in canonical order (`prefix` before each name,
    /// one per line when pretty), secrets masked when `redact`.
    pub(crate) fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        prefix: &str,
        sep: &str,
        redact: bool,
    ) -> fmt::Result {
        // Pieces are written as they are, not through format arguments: this runs for every
        // statement a batch records in its history.
        for o in self.canonical() {
            f.write_str(sep)?;
            f.write_str(prefix)?;
            match &o.name {
                OptionName::Known(key, _) => f.write_str(key.name())?,
                unknown => write!(f, "{unknown}")?,
            }
            f.write_str(" = ")?;
            let between = match o.name.key().map(|k| k.def().kind) {
                Some(ValueKind::Settings) => ", ",
                _ => " ",
            };
            o.value.write_grouped(f, redact && o.is_secret(), between)?;
        }
        Ok(())
    }
}

impl<K: OptionKey> PartialEq for Options<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.canonical() == other.canonical()
    }
}

impl<K: OptionKey> Eq for Options<K> {}
