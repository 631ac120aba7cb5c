//! The fixed words of the language: keywords, time units, the words that start statements, and
//! what a secret prints as. A leaf: every other module of `sql/` may read it, it reads none.

/// What secrets print as.
pub const MASK: &str = "********";

/// Every keyword of the grammar, for completion and highlighting; identifiers spelled like one
/// are printed quoted.
pub const KEYWORDS: &[&str] = &[
    "ADMIN",
    "ALTER",
    "ALL",
    "AS",
    "AWS",
    "CASCADE",
    "CATALOG",
    "CONNECTION",
    "CONNECTIONS",
    "COPY",
    "CREATE",
    "CREDENTIAL",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DROP",
    "EXISTS",
    "FALSE",
    "FOR",
    "FROM",
    "GRANT",
    "GRANTS",
    "IF",
    "INSERT",
    "INTO",
    "ISSUES",
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
    "PUBLIC",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "REVOKE",
    "S3",
    "SELECT",
    "SET",
    "SHOW",
    "SYNC",
    "TIMESTAMP",
    "TO",
    "TRUE",
    "TRUST",
    "USAGE",
    "VALIDATE",
    "WRITE",
];

/// Units of an interval value (`RUN_INTERVAL = 5 MINUTES`).
pub const TIME_UNITS: &[&str] = &[
    "SECOND", "SECONDS", "MINUTE", "MINUTES", "HOUR", "HOURS", "DAY", "DAYS",
];

/// The words that start a statement: one where an option should be means a missing `;`.
pub const STATEMENT_STARTS: &[&str] = &[
    "CREATE", "ALTER", "DROP", "SHOW", "DESCRIBE", "VALIDATE", "GRANT", "REVOKE",
];

/// Words of other statements' heads shown upper case in messages.
pub const HEAD_KEYWORDS: &[&str] = &[
    "CREATE",
    "ALTER",
    "DROP",
    "SHOW",
    "DESCRIBE",
    "DESC",
    "SYNC",
    "OR",
    "REPLACE",
    "TEMPORARY",
    "MATERIALIZED",
    "EXTERNAL",
    "JOB",
    "JOBS",
    "TABLE",
    "TABLES",
    "VIEW",
    "VIEWS",
    "COPY",
    "INSERT",
    "INTO",
    "SELECT",
    "MERGE",
    "UPDATE",
    "DELETE",
    "FROM",
    "GLUE_CATALOG",
    "KAFKA",
    "KINESIS",
    "SNOWFLAKE",
    "POSTGRES",
    "MYSQL",
    "CONNECTION",
    "CONNECTIONS",
    "SCHEMA",
    "DATABASE",
    "FUNCTION",
    "INDEX",
];

/// Whether `word` is one of the grammar's keywords (any case).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether a name needs quotes to read back as itself: anything but lower-case letters,
/// digits and `_` (not first a digit), or a keyword.
pub fn needs_quotes(value: &str) -> bool {
    let mut chars = value.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    !plain || is_keyword(value)
}
