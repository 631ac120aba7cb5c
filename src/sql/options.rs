//! The option-table mechanism: every object (connections in `spec`, jobs in `job_spec`) lists
//! its options once, and the parser, the checks, completion, masking, DESCRIBE and the docs all
//! read that one table.

use std::fmt;
use std::hash::Hash;

/// The shape of value an option takes; each object's checks turn it into a typed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    String,
    StringList,
    Boolean,
    /// One of a fixed set of bare words (a quoted string is accepted too).
    Enum(&'static [&'static str]),
    /// A name: a bare word, a quoted name or a string (`COMPUTE_CLUSTER = "Default Compute"`).
    Name,
    /// A number and a time unit: `1 MINUTE`, `30 SECONDS`.
    Interval,
    Integer,
    /// `NOW`, `BEGINNING` or a timestamp string.
    Moment,
    /// A parenthesised group of `KEY = value` settings: `(TYPE = CSV HEADER = TRUE)`.
    Group,
    /// The same, its settings separated by commas, as Upsolver writes `DEDUPLICATE_WITH =
    /// (COLUMNS = (id), WINDOW = 1 DAY)`.
    Settings,
    /// `(column = expression, …)`, each expression general SQL.
    Transformations,
}

impl ValueKind {
    /// How the value is written, for messages.
    pub fn describe(self) -> String {
        match self {
            ValueKind::String => "a string in single quotes".into(),
            ValueKind::StringList => "a parenthesised list of strings, like ('a', 'b')".into(),
            ValueKind::Boolean => "TRUE or FALSE, without quotes".into(),
            ValueKind::Enum(words) => format!("one of {}", words.join(", ")),
            ValueKind::Name => "a name, like \"Default Compute\"".into(),
            ValueKind::Interval => "a number and a unit, like 1 MINUTE".into(),
            ValueKind::Integer => "a whole number".into(),
            ValueKind::Moment => "NOW, BEGINNING or a timestamp like '2024-01-31T00:00:00Z'".into(),
            ValueKind::Group => "a parenthesised group, like (TYPE = CSV)".into(),
            ValueKind::Settings => {
                "a parenthesised list of settings, like (COLUMNS = (id), WINDOW = 1 DAY)".into()
            }
            ValueKind::Transformations => {
                "a parenthesised list of column = expression, like (email_hash = MD5(email))".into()
            }
        }
    }
}

/// One option of an object: what the table says about it.
#[derive(Debug)]
pub struct OptionDef<K: 'static> {
    pub key: K,
    /// Canonical spelling, upper case.
    pub name: &'static str,
    pub kind: ValueKind,
    /// Its name as a DESCRIBE property and JSON key.
    pub column: &'static str,
    /// Printed as `'********'` everywhere but the catalog itself.
    pub secret: bool,
    /// Whether `ALTER … SET` may change it.
    pub editable: bool,
    /// One line for `.help`, completion and the docs.
    pub summary: &'static str,
}

/// The key type of an option table. `table()[k.index()].key == k` for every key.
pub trait OptionKey: Copy + Eq + Ord + Hash + fmt::Debug + 'static {
    /// What the options belong to, for messages: "S3 connection", "job".
    const OBJECT: &'static str;

    /// The table, in canonical order: `Display` prints options in this order.
    fn table() -> &'static [OptionDef<Self>];

    fn index(self) -> usize;

    fn def(self) -> &'static OptionDef<Self> {
        &Self::table()[self.index()]
    }

    fn name(self) -> &'static str {
        self.def().name
    }

    fn is_secret(self) -> bool {
        self.def().secret
    }

    /// Case-insensitive look-up of an option name.
    fn from_name(name: &str) -> Option<Self> {
        Self::table()
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.key)
    }

    /// Whether `name` looks like the name of a secret: one of this table's secret options,
    /// misspelled, or a word that names a secret in any dialect (`SECRET`, `PASSWORD`). What
    /// follows such a name is masked wherever raw text is shown.
    fn name_looks_secret(name: &str) -> bool {
        let secrets = || Self::table().iter().filter(|d| d.secret).map(|d| d.name);
        let upper = squash(name);
        // A near miss is about as long as the name it misses: a short word (`aws`) shares a
        // prefix with a secret's name and nothing else.
        SECRET_WORDS.iter().any(|w| upper.contains(w))
            || secrets().any(|n| upper.contains(&squash(n)))
            || ((12..=64).contains(&upper.len()) && closest(name, secrets(), 0.8).is_some())
    }

    /// The option name a mistyped one most likely meant.
    fn suggest(name: &str) -> Option<&'static str> {
        closest(name, Self::table().iter().map(|d| d.name), 0.85)
    }

    /// Every option name, comma-separated, for help texts.
    fn all_names() -> String {
        Self::table()
            .iter()
            .map(|d| d.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The names `ALTER … SET` may change.
    fn editable_names() -> String {
        Self::table()
            .iter()
            .filter(|d| d.editable)
            .map(|d| d.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Words that name a secret in any dialect a script may mix in (`PASSWORD` of a Snowflake
/// connection, `SASL_PASSWORD`, `SECRET` of DuckDB), upper case without underscores.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PRIVATEKEY",
    "SESSIONTOKEN",
    "CUSTOMERMANAGED",
];

/// The candidate closest to `name` (case and underscores ignored), if it is close enough.
pub fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
    threshold: f64,
) -> Option<&'a str> {
    let wanted = squash(name);
    candidates
        .map(|c| (strsim::jaro_winkler(&wanted, &squash(c)), c))
        .filter(|(score, _)| *score >= threshold)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Upper case without underscores: `aws_rol` and `AWSROLE` compare alike.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Implements `OptionKey` and `Display` for a key enum whose table lists it in declaration
/// order (a unit test per table checks that order).
#[macro_export]
macro_rules! option_key {
    ($key:ty, $object:literal, $table:expr) => {
        impl $crate::sql::options::OptionKey for $key {
            const OBJECT: &'static str = $object;

            fn table() -> &'static [$crate::sql::options::OptionDef<Self>] {
                $table
            }

            fn index(self) -> usize {
                self as usize
            }
        }

        impl std::fmt::Display for $key {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use $crate::sql::options::OptionKey;
                f.write_str(self.name())
            }
        }
    };
}
