//! The statements of the connection dialect, and their printing back to canonical SQL.
//!
//! `Display` writes canonical SQL: keywords in upper case, options in the option table's order,
//! identifiers quoted only when they must be. `{:#}` puts each option on its own line.
//! [`Redacted`] prints the same with every secret value masked.

mod job;

use std::fmt::{self, Write};

pub use job::{CreateJob, JobStatementBody, TableName};

use super::job_spec::JobOption;
use super::lex::write_quoted;
use super::options::OptionKey;
use super::span::Span;
use super::spec::ConnectionOption;

/// Every keyword of the grammar, for completion and highlighting; identifiers spelled like one
/// are printed quoted.
pub const KEYWORDS: &[&str] = &[
    "ALTER",
    "ALL",
    "AS",
    "AWS",
    "CASCADE",
    "CONNECTION",
    "CONNECTIONS",
    "COPY",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DROP",
    "EXISTS",
    "FALSE",
    "FOR",
    "FROM",
    "IF",
    "INSERT",
    "INTO",
    "JOB",
    "JOBS",
    "LIKE",
    "LIST",
    "MAP_COLUMNS_BY_NAME",
    "NOT",
    "ON",
    "OR",
    "POLICY",
    "READ",
    "PROFILE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "S3",
    "SELECT",
    "SET",
    "SHOW",
    "SYNC",
    "TIMESTAMP",
    "TO",
    "TRUE",
    "TRUST",
    "VALIDATE",
    "WRITE",
];

/// What `VALIDATE CONNECTION … ON … FOR` proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
    List,
    Delete,
    All,
}

impl Access {
    pub const ALL: [Access; 5] = [
        Access::Read,
        Access::Write,
        Access::List,
        Access::Delete,
        Access::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "READ",
            Access::Write => "WRITE",
            Access::List => "LIST",
            Access::Delete => "DELETE",
            Access::All => "ALL",
        }
    }
}

/// What secrets print as.
pub const MASK: &str = "********";

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
        let mut chars = value.chars();
        let plain = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        !plain || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(value))
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
            | Value::Timestamp(_, span) => *span,
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
        }
    }

    fn write(&self, f: &mut impl Write, secret: bool) -> fmt::Result {
        if secret {
            return write!(f, "'{MASK}'");
        }
        match self {
            Value::String(s) => write!(f, "{s}"),
            Value::List(items, _) => {
                f.write_char('(')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(')')
            }
            Value::Bool(b, _) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Word(w, _) | Value::Number(w, _) => f.write_str(w),
            Value::Quoted(q, _) => write_quoted(f, q, '"'),
            Value::Interval { amount, unit, .. } => write!(f, "{amount} {unit}"),
            Value::Group(items, _) => {
                f.write_char('(')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    write!(f, "{} = ", item.name)?;
                    item.value.write(f, false)?;
                }
                f.write_char(')')
            }
            Value::Timestamp(s, _) => write!(f, "TIMESTAMP {s}"),
        }
    }
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
            OptionName::Unknown(name, _) => super::spec::looks_like_secret_name(name),
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
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        prefix: &str,
        sep: &str,
        redact: bool,
    ) -> fmt::Result {
        for o in self.canonical() {
            write!(f, "{sep}{prefix}{} = ", o.name)?;
            o.value.write(f, redact && o.is_secret())?;
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// `CREATE [OR REPLACE] S3 CONNECTION [IF NOT EXISTS] name { option }`
    CreateConnection {
        or_replace: bool,
        if_not_exists: bool,
        name: Ident,
        options: Options<ConnectionOption>,
    },
    /// `ALTER S3 CONNECTION name SET option { SET option }`
    AlterConnection {
        name: Ident,
        set: Options<ConnectionOption>,
    },
    /// `ALTER [S3] CONNECTION name RENAME TO new_name` (ext)
    RenameConnection { name: Ident, new_name: Ident },
    /// `DROP [S3] CONNECTION [IF EXISTS] name [RESTRICT | CASCADE]`
    DropConnection {
        if_exists: bool,
        name: Ident,
        behavior: DropBehavior,
    },
    /// `VALIDATE CONNECTION name` (ext)
    ValidateConnection { name: Ident },
    /// `VALIDATE CONNECTION name ON 's3://…' [FOR READ | WRITE | LIST | DELETE | ALL]` (ext)
    ValidateAccess {
        name: Ident,
        location: StringLit,
        access: Option<Access>,
    },
    /// `VALIDATE JOB name` (ext)
    ValidateJob { name: Ident },
    /// `SHOW CONNECTIONS [LIKE 'pattern']` (ext)
    ShowConnections { like: Option<StringLit> },
    /// `DESCRIBE CONNECTION name` (ext)
    DescribeConnection { name: Ident },
    /// `SHOW CREATE CONNECTION name` (ext)
    ShowCreateConnection { name: Ident },
    /// `SHOW TRUST POLICY [FOR CONNECTION name]` (ext)
    ShowTrustPolicy { connection: Option<Ident> },
    /// `SHOW S3 POLICY FOR CONNECTION name` (ext)
    ShowS3Policy { name: Ident },
    /// `SHOW AWS PROFILE FOR CONNECTION name [JOB job]` (ext)
    ShowAwsProfile {
        connection: Ident,
        job: Option<Ident>,
    },
    /// `CREATE [OR REPLACE] [SYNC] JOB [IF NOT EXISTS] name … AS …`
    CreateJob(Box<CreateJob>),
    /// `ALTER JOB name SET option { SET option }`
    AlterJob {
        name: Ident,
        set: Options<JobOption>,
    },
    /// `DROP JOB [IF EXISTS] name`
    DropJob { if_exists: bool, name: Ident },
    /// `SHOW JOBS [LIKE 'pattern'] [FOR CONNECTION name]`
    ShowJobs {
        like: Option<StringLit>,
        connection: Option<Ident>,
    },
    /// `DESCRIBE JOB name` (ext)
    DescribeJob { name: Ident },
    /// `SHOW CREATE JOB name` (ext)
    ShowCreateJob { name: Ident },
}

/// What `DROP CONNECTION` does to the jobs that use the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DropBehavior {
    /// Nothing written: refuse, as `RESTRICT` does.
    #[default]
    Default,
    Restrict,
    /// Drop them too.
    Cascade,
}

/// One statement and the span of its text, from its first keyword to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

impl Statement {
    pub fn new(kind: StatementKind) -> Self {
        Statement {
            kind,
            span: Span::default(),
        }
    }

    /// The span of option `key` (name to value), when the statement sets it.
    pub fn option_span(&self, key: ConnectionOption) -> Option<Span> {
        match &self.kind {
            StatementKind::CreateConnection { options, .. } => options.get(key),
            StatementKind::AlterConnection { set, .. } => set.get(key),
            _ => None,
        }
        .map(OptionSetting::span)
    }

    /// The connection the statement is about, if any (a job's, for job statements).
    pub fn connection_name(&self) -> Option<&Ident> {
        use StatementKind::*;
        match &self.kind {
            CreateConnection { name, .. }
            | AlterConnection { name, .. }
            | RenameConnection { name, .. }
            | DropConnection { name, .. }
            | ValidateConnection { name }
            | ValidateAccess { name, .. }
            | DescribeConnection { name }
            | ShowCreateConnection { name }
            | ShowS3Policy { name } => Some(name),
            ShowAwsProfile { connection, .. } => Some(connection),
            ShowTrustPolicy { connection } | ShowJobs { connection, .. } => connection.as_ref(),
            CreateJob(job) => Some(job.body.connection()),
            ShowConnections { .. }
            | AlterJob { .. }
            | DropJob { .. }
            | DescribeJob { .. }
            | ValidateJob { .. }
            | ShowCreateJob { .. } => None,
        }
    }

    /// The job the statement is about, if any.
    pub fn job_name(&self) -> Option<&Ident> {
        use StatementKind::*;
        match &self.kind {
            CreateJob(job) => Some(&job.name),
            AlterJob { name, .. }
            | DropJob { name, .. }
            | DescribeJob { name }
            | ValidateJob { name }
            | ShowCreateJob { name } => Some(name),
            _ => None,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, redact: bool) -> fmt::Result {
        use StatementKind::*;
        let pretty = f.alternate();
        let sep = if pretty { "\n    " } else { " " };
        match &self.kind {
            CreateConnection {
                or_replace,
                if_not_exists,
                name,
                options,
            } => {
                f.write_str("CREATE ")?;
                if *or_replace {
                    f.write_str("OR REPLACE ")?;
                }
                f.write_str("S3 CONNECTION ")?;
                if *if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                write!(f, "{name}")?;
                options.write(f, "", sep, redact)
            }
            AlterConnection { name, set } => {
                write!(f, "ALTER S3 CONNECTION {name}")?;
                set.write(f, "SET ", sep, redact)
            }
            RenameConnection { name, new_name } => {
                write!(f, "ALTER CONNECTION {name} RENAME TO {new_name}")
            }
            DropConnection {
                if_exists,
                name,
                behavior,
            } => {
                write!(
                    f,
                    "DROP CONNECTION {}{name}{}",
                    if *if_exists { "IF EXISTS " } else { "" },
                    match behavior {
                        DropBehavior::Default => "",
                        DropBehavior::Restrict => " RESTRICT",
                        DropBehavior::Cascade => " CASCADE",
                    }
                )
            }
            ValidateConnection { name } => write!(f, "VALIDATE CONNECTION {name}"),
            ValidateAccess {
                name,
                location,
                access,
            } => {
                write!(f, "VALIDATE CONNECTION {name} ON {location}")?;
                match access {
                    Some(a) => write!(f, " FOR {}", a.as_str()),
                    None => Ok(()),
                }
            }
            ValidateJob { name } => write!(f, "VALIDATE JOB {name}"),
            ShowConnections { like: None } => f.write_str("SHOW CONNECTIONS"),
            ShowConnections {
                like: Some(pattern),
            } => write!(f, "SHOW CONNECTIONS LIKE {pattern}"),
            DescribeConnection { name } => write!(f, "DESCRIBE CONNECTION {name}"),
            ShowCreateConnection { name } => write!(f, "SHOW CREATE CONNECTION {name}"),
            ShowTrustPolicy { connection: None } => f.write_str("SHOW TRUST POLICY"),
            ShowTrustPolicy {
                connection: Some(name),
            } => write!(f, "SHOW TRUST POLICY FOR CONNECTION {name}"),
            ShowS3Policy { name } => write!(f, "SHOW S3 POLICY FOR CONNECTION {name}"),
            ShowAwsProfile { connection, job } => {
                write!(f, "SHOW AWS PROFILE FOR CONNECTION {connection}")?;
                match job {
                    Some(job) => write!(f, " JOB {job}"),
                    None => Ok(()),
                }
            }
            CreateJob(job) => job.write(f, redact),
            AlterJob { name, set } => {
                write!(f, "ALTER JOB {name}")?;
                set.write(f, "SET ", sep, redact)
            }
            DropJob { if_exists, name } => write!(
                f,
                "DROP JOB {}{name}",
                if *if_exists { "IF EXISTS " } else { "" }
            ),
            ShowJobs { like, connection } => {
                f.write_str("SHOW JOBS")?;
                if let Some(pattern) = like {
                    write!(f, " LIKE {pattern}")?;
                }
                if let Some(name) = connection {
                    write!(f, " FOR CONNECTION {name}")?;
                }
                Ok(())
            }
            DescribeJob { name } => write!(f, "DESCRIBE JOB {name}"),
            ShowCreateJob { name } => write!(f, "SHOW CREATE JOB {name}"),
        }
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// Prints a statement with every secret value as `'********'`: the only form that reaches
/// history, logs and `SHOW CREATE`.
pub struct Redacted<'a>(pub &'a Statement);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, true)
    }
}
