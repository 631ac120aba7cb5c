//! The job's model: its option table (`JOB_OPTIONS`: Upsolver's job, S3-source and S3-output
//! options, each with its value rule and whether `ALTER JOB` may change it) and the checked form
//! the catalog stores (`JobSpec`). A job reads from (`COPY FROM S3`) or writes to
//! (`INSERT INTO S3`) one connection.

use std::collections::BTreeMap;
use std::fmt;

use super::name::{Ident, TableName};
use super::options::{OptionDef, ValueKind};
use super::setting::{GroupSetting, StringLit, Transformation, Value, parenthesised};
use super::span::Span;
use super::values::S3Path;

/// An option of `CREATE JOB` (before `AS`, or after the connection) / `ALTER JOB … SET`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobOption {
    Location,
    Bucket,
    Prefix,
    ContentType,
    Compression,
    FileFormat,
    DatePattern,
    FilePattern,
    InitialLoadPattern,
    InitialLoadPrefix,
    StartFrom,
    EndAt,
    ComputeCluster,
    RunInterval,
    RunParallelism,
    AggregationParallelism,
    CommitInterval,
    MaxDelay,
    OutputOffset,
    DeleteFilesAfterLoad,
    DeduplicateWith,
    ColumnTransformations,
    AllowCartesianProducts,
    SkipAllValidations,
    SkipValidations,
    ExcludeColumns,
    Comment,
}

crate::option_key!(JobOption, "job", JOB_OPTIONS);

/// What `CONTENT_TYPE` may be (of files a `COPY FROM` job reads).
pub const CONTENT_TYPES: &[&str] = &[
    "AUTO",
    "CSV",
    "JSON",
    "PARQUET",
    "TSV",
    "AVRO",
    "AVRO_SCHEMA_REGISTRY",
    "FIXED_WIDTH",
    "REGEX",
    "SPLIT_LINES",
    "ORC",
    "XML",
];

/// What `COMPRESSION` may be: of the files read (any), or written (`INSERT_COMPRESSIONS`).
pub const COMPRESSIONS: &[&str] = &[
    "AUTO",
    "GZIP",
    "SNAPPY",
    "LZO",
    "NONE",
    "SNAPPY_UNFRAMED",
    "KCL",
    "ZSTD",
];
pub const INSERT_COMPRESSIONS: &[&str] = &["NONE", "GZIP", "SNAPPY", "ZSTD"];
pub const COPY_COMPRESSIONS: &[&str] = &[
    "AUTO",
    "GZIP",
    "SNAPPY",
    "LZO",
    "NONE",
    "SNAPPY_UNFRAMED",
    "KCL",
];

/// What `SKIP_VALIDATIONS` may name, for each kind of job.
pub const COPY_SKIPPABLE: &[&str] = &["EMPTY_PATH"];
pub const INSERT_SKIPPABLE: &[&str] = &["ALLOW_CARTESIAN_PRODUCT"];

/// `FILE_FORMAT = (TYPE = …)` of an `INSERT INTO S3` job.
pub const FILE_FORMATS: &[&str] = &["CSV", "TSV", "AVRO", "PARQUET", "JSON"];

/// Which job kinds an option belongs to, and where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applies {
    pub copy: bool,
    pub insert: bool,
    /// Written after the connection (`COPY FROM S3 c LOCATION = …`), not before `AS`. Both
    /// places are accepted for every option: Upsolver's older scripts put source options among
    /// the job options (`create job … date_pattern = '…' as copy from s3 …`).
    pub source: bool,
}

const COPY: Applies = Applies {
    copy: true,
    insert: false,
    source: false,
};
const INSERT: Applies = Applies {
    copy: false,
    insert: true,
    source: false,
};
const BOTH: Applies = Applies {
    copy: true,
    insert: true,
    source: false,
};
const SOURCE: Applies = Applies {
    copy: true,
    insert: true,
    source: true,
};
const COPY_SOURCE: Applies = Applies {
    copy: true,
    insert: false,
    source: true,
};

struct Def {
    key: JobOption,
    name: &'static str,
    kind: ValueKind,
    editable: bool,
    applies: Applies,
    summary: &'static str,
}

const fn def(
    key: JobOption,
    name: &'static str,
    kind: ValueKind,
    editable: bool,
    applies: Applies,
    summary: &'static str,
) -> Def {
    Def {
        key,
        name,
        kind,
        editable,
        applies,
        summary,
    }
}

/// The table, with what the generic mechanism does not need (where each option applies).
const DEFS: &[Def] = &[
    def(
        JobOption::Location,
        "LOCATION",
        ValueKind::String,
        false,
        SOURCE,
        "the S3 location read or written, 's3://bucket/prefix/'",
    ),
    def(
        JobOption::Bucket,
        "BUCKET",
        ValueKind::String,
        false,
        COPY_SOURCE,
        "the bucket read from (with PREFIX; the older form of LOCATION)",
    ),
    def(
        JobOption::Prefix,
        "PREFIX",
        ValueKind::String,
        false,
        COPY_SOURCE,
        "the key prefix read from (with BUCKET)",
    ),
    def(
        JobOption::ContentType,
        "CONTENT_TYPE",
        ValueKind::Enum(CONTENT_TYPES),
        true,
        COPY,
        "format of the files read: AUTO, CSV, JSON, PARQUET, AVRO, …, or (TYPE = CSV …) with its options",
    ),
    def(
        JobOption::Compression,
        "COMPRESSION",
        ValueKind::Enum(COMPRESSIONS),
        false,
        BOTH,
        "compression of the files read (AUTO, GZIP, …) or written (NONE, GZIP, SNAPPY, ZSTD)",
    ),
    def(
        JobOption::FileFormat,
        "FILE_FORMAT",
        ValueKind::Group,
        false,
        INSERT,
        "format of the files written: (TYPE = CSV | TSV | AVRO | PARQUET | JSON)",
    ),
    def(
        JobOption::DatePattern,
        "DATE_PATTERN",
        ValueKind::String,
        false,
        BOTH,
        "date partitions of the location, down to the minute: 'yyyy/MM/dd/HH/mm'",
    ),
    def(
        JobOption::FilePattern,
        "FILE_PATTERN",
        ValueKind::String,
        false,
        COPY,
        "only files matching this regular expression are read",
    ),
    def(
        JobOption::InitialLoadPattern,
        "INITIAL_LOAD_PATTERN",
        ValueKind::String,
        false,
        COPY,
        "files matching this regular expression are read at once when the job starts",
    ),
    def(
        JobOption::InitialLoadPrefix,
        "INITIAL_LOAD_PREFIX",
        ValueKind::String,
        false,
        COPY,
        "files under this prefix are read at once when the job starts",
    ),
    def(
        JobOption::StartFrom,
        "START_FROM",
        ValueKind::Moment,
        false,
        BOTH,
        "where the job starts: NOW, BEGINNING or a timestamp (COPY FROM needs DATE_PATTERN)",
    ),
    def(
        JobOption::EndAt,
        "END_AT",
        ValueKind::Moment,
        true,
        BOTH,
        "where the job stops: NOW or a timestamp",
    ),
    def(
        JobOption::ComputeCluster,
        "COMPUTE_CLUSTER",
        ValueKind::Name,
        true,
        BOTH,
        "the compute cluster that runs the job",
    ),
    def(
        JobOption::RunInterval,
        "RUN_INTERVAL",
        ValueKind::Interval,
        false,
        INSERT,
        "how often the job runs: 1 MINUTE, 5 MINUTES, 1 HOUR, …",
    ),
    def(
        JobOption::RunParallelism,
        "RUN_PARALLELISM",
        ValueKind::Integer,
        true,
        BOTH,
        "jobs run in parallel per minute of data",
    ),
    def(
        JobOption::AggregationParallelism,
        "AGGREGATION_PARALLELISM",
        ValueKind::Integer,
        true,
        INSERT,
        "parallelism of the job's aggregations",
    ),
    def(
        JobOption::CommitInterval,
        "COMMIT_INTERVAL",
        ValueKind::Interval,
        true,
        COPY,
        "how often the job commits to its target",
    ),
    def(
        JobOption::MaxDelay,
        "MAX_DELAY",
        ValueKind::Interval,
        true,
        COPY,
        "how late files may arrive and still be read in order: 1 DAY, 12 HOURS, …",
    ),
    def(
        JobOption::OutputOffset,
        "OUTPUT_OFFSET",
        ValueKind::Interval,
        false,
        INSERT,
        "shifts the time of the files written: 1 MINUTE, …",
    ),
    def(
        JobOption::DeleteFilesAfterLoad,
        "DELETE_FILES_AFTER_LOAD",
        ValueKind::Boolean,
        false,
        COPY,
        "TRUE: files read are deleted from the location (needs a writable connection)",
    ),
    def(
        JobOption::DeduplicateWith,
        "DEDUPLICATE_WITH",
        ValueKind::Settings,
        false,
        COPY,
        "rows with the same key within a window are loaded once: (COLUMNS = (id, …), WINDOW = 1 DAY)",
    ),
    def(
        JobOption::ColumnTransformations,
        "COLUMN_TRANSFORMATIONS",
        ValueKind::Transformations,
        false,
        COPY,
        "columns computed while loading, each an SQL expression: (email_hash = MD5(email), …)",
    ),
    def(
        JobOption::AllowCartesianProducts,
        "ALLOW_CARTESIAN_PRODUCTS",
        ValueKind::Boolean,
        false,
        INSERT,
        "TRUE: the SELECT may join without conditions",
    ),
    def(
        JobOption::SkipAllValidations,
        "SKIP_ALL_VALIDATIONS",
        ValueKind::Boolean,
        false,
        COPY,
        "TRUE: the job may read a location that has no data yet",
    ),
    def(
        JobOption::SkipValidations,
        "SKIP_VALIDATIONS",
        ValueKind::StringList,
        false,
        BOTH,
        "checks to skip at creation: ('EMPTY_PATH') for COPY, ('ALLOW_CARTESIAN_PRODUCT') for INSERT",
    ),
    def(
        JobOption::ExcludeColumns,
        "EXCLUDE_COLUMNS",
        ValueKind::StringList,
        false,
        COPY,
        "columns not copied: ('col', 'prefix.*', …)",
    ),
    def(
        JobOption::Comment,
        "COMMENT",
        ValueKind::String,
        true,
        BOTH,
        "free text",
    ),
];

/// The job option table, in canonical order (the enum's).
pub const JOB_OPTIONS: &[OptionDef<JobOption>] = &{
    let mut out = [const {
        OptionDef {
            key: JobOption::Comment,
            name: "",
            kind: ValueKind::String,
            column: "",
            secret: false,
            editable: false,
            summary: "",
        }
    }; DEFS.len()];
    let mut i = 0;
    while i < DEFS.len() {
        out[i] = OptionDef {
            key: DEFS[i].key,
            name: DEFS[i].name,
            kind: DEFS[i].kind,
            column: DEFS[i].name,
            secret: false,
            editable: DEFS[i].editable,
            summary: DEFS[i].summary,
        };
        i += 1;
    }
    out
};

impl JobOption {
    pub fn applies(self) -> Applies {
        DEFS[self as usize].applies
    }
}

/// The settings `FILE_FORMAT = ( … )` takes; `TYPE` is checked, the others are kept as written.
pub const FILE_FORMAT_KEYS: &[&str] = &["TYPE", "DELIMITER", "HEADER", "QUOTE"];

/// Whether a word is the name of a job option, or of a `FILE_FORMAT` setting (for redaction and
/// highlighting).
pub fn is_job_option(word: &str) -> bool {
    use super::options::OptionKey;
    JobOption::from_name(word).is_some()
        || FILE_FORMAT_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(word))
}

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// `COPY FROM S3`: reads the connection's location into a table.
    Copy,
    /// `INSERT INTO S3`: writes a query's rows to the connection's location.
    Insert,
}

impl JobKind {
    /// `copy` or `insert`, as SHOW JOBS prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Copy => "copy",
            JobKind::Insert => "insert",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "copy" => Some(JobKind::Copy),
            "insert" => Some(JobKind::Insert),
            _ => None,
        }
    }
}

/// Where a `COPY FROM` job reads, in the form it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Location(S3Path),
    BucketPrefix { bucket: String, prefix: String },
}

impl Source {
    /// The location as an S3 URI: `BUCKET = 'b' PREFIX = '/p/'` is `s3://b/p/`.
    pub fn uri(&self) -> String {
        match self {
            Source::Location(p) => p.to_string(),
            Source::BucketPrefix { bucket, prefix } => {
                format!("s3://{bucket}/{}", prefix.trim_start_matches('/'))
            }
        }
    }
}

/// A job option's checked value, as stored (JSON in the catalog) and printed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobValue {
    Text(String),
    /// An upper-case word of an enumeration, `NOW`, `BEGINNING`.
    Word(String),
    /// A name written quoted (`"Default Compute"`) or bare.
    Name(String),
    Integer(u32),
    Bool(bool),
    Interval {
        amount: u32,
        unit: String,
    },
    Timestamp(String),
    List(Vec<String>),
    /// `(TYPE = CSV)`: keys upper case.
    Group(BTreeMap<String, String>),
    /// `(column = expression, …)` in the order written: each column's name (folded like any
    /// name), each expression in sqlparser's canonical print.
    Transformations(Vec<(String, String)>),
}

impl fmt::Display for JobValue {
    /// The value as SQL, so a stored job prints back to a statement that recreates it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted =
            |f: &mut fmt::Formatter<'_>, s: &str, q: char| super::lex::write_quoted(f, s, q);
        match self {
            JobValue::Text(s) => quoted(f, s, '\''),
            JobValue::Word(w) => f.write_str(w),
            JobValue::Name(n) if !Ident::needs_quotes(n) => f.write_str(n),
            JobValue::Name(n) => quoted(f, n, '"'),
            JobValue::Integer(n) => write!(f, "{n}"),
            JobValue::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            JobValue::Interval { amount, unit } => write!(f, "{amount} {unit}"),
            JobValue::Timestamp(t) => {
                f.write_str("TIMESTAMP ")?;
                quoted(f, t, '\'')
            }
            JobValue::List(items) => parenthesised(f, items, |f, item| quoted(f, item, '\'')),
            JobValue::Group(items) => {
                f.write_str("(")?;
                for (i, (k, v)) in type_first(items).enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str(")")
            }
            JobValue::Transformations(items) => {
                parenthesised(f, items, |f, (column, expression)| {
                    super::name::write_ident(f, column)?;
                    write!(f, " = {expression}")
                })
            }
        }
    }
}

/// A group's settings with its `TYPE` first (`(TYPE = CSV HEADER = TRUE)`), the rest by name.
fn type_first(items: &BTreeMap<String, String>) -> impl Iterator<Item = (&String, &String)> {
    let ty = items.iter().filter(|(k, _)| *k == "TYPE");
    ty.chain(items.iter().filter(|(k, _)| *k != "TYPE"))
}

impl JobValue {
    /// The value as it is written in a statement.
    pub fn to_value(&self) -> Value {
        let at = Span::default();
        match self {
            JobValue::Text(s) => Value::String(StringLit::new(s.as_str())),
            JobValue::Word(w) => Value::Word(w.clone(), at),
            JobValue::Name(n) if !Ident::needs_quotes(n) => Value::Word(n.clone(), at),
            JobValue::Name(n) => Value::Quoted(n.clone(), at),
            JobValue::Integer(n) => Value::Number(n.to_string(), at),
            JobValue::Bool(b) => Value::Bool(*b, at),
            JobValue::Interval { amount, unit } => Value::Interval {
                amount: amount.to_string(),
                unit: unit.clone(),
                span: at,
            },
            JobValue::Timestamp(t) => Value::Timestamp(StringLit::new(t.as_str()), at),
            JobValue::List(items) => Value::List(
                items.iter().map(|i| StringLit::new(i.as_str())).collect(),
                at,
            ),
            JobValue::Group(items) => Value::Group(
                type_first(items)
                    .map(|(k, v)| GroupSetting {
                        name: k.clone(),
                        value: Value::Word(v.clone(), at),
                        span: at,
                    })
                    .collect(),
                at,
            ),
            JobValue::Transformations(items) => Value::Transformations(
                items
                    .iter()
                    .map(|(column, expression)| Transformation {
                        column: Ident::new(column.as_str()),
                        expression: expression.clone(),
                        span: at,
                    })
                    .collect(),
                at,
            ),
        }
    }

    /// The value as JSON, for SHOW JOBS' `options` object and the catalog.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            JobValue::Text(s) | JobValue::Word(s) | JobValue::Name(s) => json!(s),
            JobValue::Integer(n) => json!(n),
            JobValue::Bool(b) => json!(b),
            JobValue::Interval { amount, unit } => json!(format!("{amount} {unit}")),
            JobValue::Timestamp(t) => json!(t),
            JobValue::List(items) => json!(items),
            JobValue::Group(items) => json!(items),
            JobValue::Transformations(items) => serde_json::Value::Object(
                items
                    .iter()
                    .map(|(column, expression)| (column.clone(), json!(expression)))
                    .collect(),
            ),
        }
    }
}

/// A job's checked definition: what the catalog stores (the connection by its id, beside).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSpec {
    pub sync: bool,
    pub body: JobBody,
    pub options: BTreeMap<JobOption, JobValue>,
}

/// What the job reads or writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobBody {
    Copy {
        source: Source,
        /// The table it loads (`default_glue_catalog.db.orders`).
        target: TableName,
    },
    Insert {
        location: S3Path,
        map_columns_by_name: bool,
        /// The query, as written, and the tables it reads.
        select: String,
        source_tables: Vec<String>,
    },
}

impl JobSpec {
    pub fn kind(&self) -> JobKind {
        match self.body {
            JobBody::Copy { .. } => JobKind::Copy,
            JobBody::Insert { .. } => JobKind::Insert,
        }
    }

    /// The S3 location the job reads or writes.
    pub fn location(&self) -> String {
        match &self.body {
            JobBody::Copy { source, .. } => source.uri(),
            JobBody::Insert { location, .. } => location.to_string(),
        }
    }

    pub fn target(&self) -> Option<String> {
        match &self.body {
            JobBody::Copy { target, .. } => Some(target.to_string()),
            JobBody::Insert { .. } => None,
        }
    }

    pub fn source_tables(&self) -> &[String] {
        match &self.body {
            JobBody::Copy { .. } => &[],
            JobBody::Insert { source_tables, .. } => source_tables,
        }
    }

    /// Whether the job writes to its connection's location (so the connection may not be
    /// read-only): an `INSERT INTO S3`, or a `COPY FROM` that deletes what it read.
    pub fn writes(&self) -> bool {
        matches!(self.body, JobBody::Insert { .. })
            || self.options.get(&JobOption::DeleteFilesAfterLoad) == Some(&JobValue::Bool(true))
    }

    pub fn comment(&self) -> Option<&str> {
        match self.options.get(&JobOption::Comment) {
            Some(JobValue::Text(c)) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::options::OptionKey;

    #[test]
    fn table_order_matches_enum() {
        for (i, def) in JOB_OPTIONS.iter().enumerate() {
            assert_eq!(def.key as usize, i, "{}", def.name);
            assert!(!def.name.is_empty());
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(JobOption::suggest("CONTENTTYPE"), Some("CONTENT_TYPE"));
        assert_eq!(JobOption::suggest("start_form"), Some("START_FROM"));
        assert_eq!(JobOption::suggest("BANANA"), None);
    }

    #[test]
    fn values_print_as_sql() {
        assert_eq!(
            JobValue::Name("Default Compute".into()).to_string(),
            "\"Default Compute\""
        );
        assert_eq!(JobValue::Name("default".into()).to_string(), "default");
        assert_eq!(
            JobValue::Timestamp("2024-01-31 00:00:00".into()).to_string(),
            "TIMESTAMP '2024-01-31 00:00:00'"
        );
        let group = JobValue::Group([("TYPE".to_string(), "CSV".to_string())].into());
        assert_eq!(group.to_string(), "(TYPE = CSV)");
    }
}
