//! The job statements: `CREATE [SYNC] JOB … AS COPY FROM S3 … INTO …` and `… AS INSERT INTO
//! S3 … SELECT …`, with their printing back to canonical SQL.

use std::fmt;

use super::{Ident, OptionSetting, Options, StringLit, TableName, Value};
use crate::sql::job_spec::{JobBody, JobOption, JobSpec, JobValue, Source};
use crate::sql::select::Select;
use crate::sql::span::Span;

/// `CREATE [OR REPLACE] [SYNC] JOB [IF NOT EXISTS] name { option } AS …`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateJob {
    pub or_replace: bool,
    pub sync: bool,
    pub if_not_exists: bool,
    pub name: Ident,
    /// The options written before `AS`.
    pub options: Options<JobOption>,
    pub body: JobStatementBody,
}

/// What follows `AS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobStatementBody {
    /// `COPY FROM S3 connection { option } INTO table`
    Copy {
        connection: Ident,
        source: Options<JobOption>,
        target: TableName,
    },
    /// `INSERT INTO S3 connection { option } [MAP_COLUMNS_BY_NAME] select`
    Insert {
        connection: Ident,
        target: Options<JobOption>,
        map_columns_by_name: bool,
        select: Select,
    },
}

impl JobStatementBody {
    pub fn connection(&self) -> &Ident {
        match self {
            JobStatementBody::Copy { connection, .. }
            | JobStatementBody::Insert { connection, .. } => connection,
        }
    }
}

impl CreateJob {
    /// The statement that creates `spec`'s job, reading `connection`: what SHOW CREATE JOB prints
    /// and the catalog keeps. Options sit where Upsolver writes them: the location after the
    /// connection, the rest before `AS`.
    pub fn of_spec(spec: &JobSpec, name: &str, connection: &str) -> CreateJob {
        let setting = |key: JobOption, value: &JobValue| OptionSetting::new(key, value.to_value());
        let text = |key, s: &str| OptionSetting::new(key, Value::String(StringLit::new(s)));
        let options = Options(spec.options.iter().map(|(k, v)| setting(*k, v)).collect());
        let connection = Ident::new(connection);
        let body = match &spec.body {
            JobBody::Copy { source, target } => JobStatementBody::Copy {
                connection,
                source: Options(match source {
                    Source::Location(p) => vec![text(JobOption::Location, p.as_str())],
                    Source::BucketPrefix { bucket, prefix } => vec![
                        text(JobOption::Bucket, bucket),
                        text(JobOption::Prefix, prefix),
                    ],
                }),
                target: target.clone(),
            },
            JobBody::Insert {
                location,
                map_columns_by_name,
                select,
                source_tables,
            } => JobStatementBody::Insert {
                connection,
                target: Options(vec![text(JobOption::Location, location.as_str())]),
                map_columns_by_name: *map_columns_by_name,
                select: Select {
                    text: select.clone(),
                    canonical: select.clone(),
                    tables: source_tables.clone(),
                    span: Span::default(),
                },
            },
        };
        CreateJob {
            or_replace: false,
            sync: spec.sync,
            if_not_exists: false,
            name: Ident::new(name),
            options,
            body,
        }
    }

    /// The statement to print: `format!("{:#}", job.display())`.
    pub fn display(&self) -> super::Statement {
        super::Statement::new(super::StatementKind::CreateJob(Box::new(self.clone())))
    }

    /// Writes the statement; `redact` masks what may be secret (the values of unknown options).
    pub(super) fn write(&self, f: &mut fmt::Formatter<'_>, redact: bool) -> fmt::Result {
        let pretty = f.alternate();
        let (sep, clause) = if pretty { ("\n    ", "\n") } else { (" ", " ") };
        f.write_str("CREATE ")?;
        if self.or_replace {
            f.write_str("OR REPLACE ")?;
        }
        if self.sync {
            f.write_str("SYNC ")?;
        }
        f.write_str("JOB ")?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        write!(f, "{}", self.name)?;
        self.options.write(f, "", sep, redact)?;
        match &self.body {
            JobStatementBody::Copy {
                connection,
                source,
                target,
            } => {
                write!(f, "{clause}AS COPY FROM S3 {connection}")?;
                source.write(f, "", sep, redact)?;
                write!(f, "{clause}INTO {target}")
            }
            JobStatementBody::Insert {
                connection,
                target,
                map_columns_by_name,
                select,
            } => {
                write!(f, "{clause}AS INSERT INTO S3 {connection}")?;
                target.write(f, "", sep, redact)?;
                if *map_columns_by_name {
                    write!(f, "{clause}MAP_COLUMNS_BY_NAME")?;
                }
                write!(f, "{clause}{}", select.text)
            }
        }
    }
}
