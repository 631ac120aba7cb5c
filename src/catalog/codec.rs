//! How connections and jobs are laid out in rows, for every engine: the spec's columns in the
//! order the engines' INSERT and UPDATE statements bind them, and a row decoded back through
//! [`Cells`], with every stored value checked again (a damaged catalog is an error, not a
//! panic). Engines differ only in how they read a cell.

use time::OffsetDateTime;

use super::model::{StoredConnection, StoredJob, ValidationRecord};
use crate::clock::parse_rfc3339;
use crate::sql::job_spec::JobSpec;
use crate::sql::values::{AccessKeyId, ExternalId, KmsKeyArn, RoleArn, S3Path, Secret};
use crate::sql::{ConnectionSpec, Credentials, Plan, StatementKind, check_stored, parse};

/// The columns every engine's connection query selects, in this order (`c` the connection,
/// `v` its newest validation).
pub const CONNECTION_COLUMNS: &str = "c.id, c.name, c.authentication, c.aws_role, c.external_id, \
     c.aws_access_key_id, c.aws_secret_access_key, c.path_display_filters, c.read_only, \
     c.encryption_kms_key, c.encryption_customer_managed_key, c.comment, c.created_at, \
     c.updated_at, c.validated_at, v.at, v.caller_arn, v.assumed_role_arn, v.warnings";

/// The columns every engine's job query selects, in this order.
pub const JOB_COLUMNS: &str = "j.id, j.name, j.connection_id, c.name, j.definition, j.created_at, \
     j.updated_at, j.validated_at";

/// A row's cells, read by position. The error is a message; the engine adds the position.
pub trait Cells {
    fn text(&self, i: usize) -> Result<Option<&str>, String>;
    fn flag(&self, i: usize) -> Result<bool, String>;
}

/// A decoding failure: which column, and why.
pub type CellError = (usize, String);

fn need<C: Cells>(c: &C, i: usize) -> Result<&str, CellError> {
    c.text(i)
        .map_err(|e| (i, e))?
        .ok_or_else(|| (i, "missing value".to_string()))
}

fn opt<C: Cells>(c: &C, i: usize) -> Result<Option<&str>, CellError> {
    c.text(i).map_err(|e| (i, e))
}

fn time_at(i: usize, s: &str) -> Result<OffsetDateTime, CellError> {
    parse_rfc3339(s).map_err(|e| (i, e))
}

/// A connection from a row of `CONNECTION_COLUMNS`.
pub fn connection<C: Cells>(c: &C) -> Result<StoredConnection, CellError> {
    let credentials = match need(c, 2)? {
        "role" => Credentials::Role {
            arn: RoleArn::parse(need(c, 3)?).map_err(|e| (3, e.message))?,
            external_id: opt(c, 4)?
                .map(ExternalId::parse)
                .transpose()
                .map_err(|e| (4, e.message))?,
        },
        "keys" => Credentials::Keys {
            access_key_id: AccessKeyId::parse(need(c, 5)?).map_err(|e| (5, e.message))?,
            secret_access_key: Secret::new(need(c, 6)?),
        },
        "default" => Credentials::Default,
        other => {
            return Err((
                2,
                format!(
                    "`{}` is not an authentication (role, keys or default)",
                    crate::sql::redact::escape_controls(other)
                ),
            ));
        }
    };
    let filters: Vec<String> = match need(c, 7)? {
        "[]" => Vec::new(),
        json => serde_json::from_str(json).map_err(|e| (7, e.to_string()))?,
    };
    let path_display_filters = filters
        .iter()
        .map(|p| S3Path::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| (7, e.message))?;
    let encryption_kms_key = opt(c, 9)?
        .map(|s| KmsKeyArn::parse(s).map(|(k, _)| k))
        .transpose()
        .map_err(|e| (9, e.message))?;
    let spec = ConnectionSpec {
        credentials,
        path_display_filters,
        read_only: c.flag(8).map_err(|e| (8, e))?,
        encryption_kms_key,
        encryption_customer_managed_key: opt(c, 10)?.map(Secret::new),
        comment: opt(c, 11)?.map(str::to_string),
    };
    let validated_at = opt(c, 14)?.map(|s| time_at(14, s)).transpose()?;
    let validation = match opt(c, 15)? {
        Some(at) => Some(ValidationRecord {
            at: time_at(15, at)?,
            caller_arn: opt(c, 16)?.map(str::to_string),
            assumed_role_arn: opt(c, 17)?.map(str::to_string),
            warnings: serde_json::from_str(need(c, 18)?).map_err(|e| (18, e.to_string()))?,
        }),
        None => None,
    };
    Ok(StoredConnection {
        id: need(c, 0)?.to_string(),
        name: need(c, 1)?.to_string(),
        spec,
        created_at: time_at(12, need(c, 12)?)?,
        updated_at: time_at(13, need(c, 13)?)?,
        validated_at,
        validation,
    })
}

/// A job from a row of `JOB_COLUMNS`: read back from its definition.
pub fn job<C: Cells>(c: &C) -> Result<StoredJob, CellError> {
    Ok(StoredJob {
        id: need(c, 0)?.to_string(),
        name: need(c, 1)?.to_string(),
        connection_id: need(c, 2)?.to_string(),
        connection_name: need(c, 3)?.to_string(),
        spec: decode_job(need(c, 4)?).map_err(|e| (4, e))?,
        created_at: time_at(5, need(c, 5)?)?,
        updated_at: time_at(6, need(c, 6)?)?,
        validated_at: opt(c, 7)?.map(|t| time_at(7, t)).transpose()?,
    })
}

/// The spec of a stored definition (its canonical CREATE JOB statement, parsed and checked).
pub fn decode_job(definition: &str) -> Result<JobSpec, String> {
    let (statements, errors) = parse(definition);
    if let Some(e) = errors.first() {
        return Err(e.message.clone());
    }
    let Some(statement) = statements.first() else {
        return Err("the definition is empty".into());
    };
    if !matches!(statement.kind, StatementKind::CreateJob(_)) {
        return Err("the definition is not a CREATE JOB statement".into());
    }
    match check_stored(statement) {
        Ok((Plan::CreateJob { spec, .. }, _)) => Ok(spec),
        Ok(_) => Err("the definition is not a job".into()),
        Err(errors) => Err(errors.first().map_or_else(
            || "the definition does not check".into(),
            |e| e.message.clone(),
        )),
    }
}

/// The spec's columns, in the order every engine binds them: authentication, aws_role,
/// external_id, aws_access_key_id, aws_secret_access_key, path_display_filters, read_only,
/// encryption_kms_key, encryption_customer_managed_key, comment.
pub struct SpecColumns<'a> {
    pub authentication: &'static str,
    pub aws_role: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub aws_access_key_id: Option<&'a str>,
    pub aws_secret_access_key: Option<&'a str>,
    pub path_display_filters: String,
    pub read_only: bool,
    pub encryption_kms_key: Option<&'a str>,
    pub encryption_customer_managed_key: Option<&'a str>,
    pub comment: Option<&'a str>,
}

pub fn spec_columns(spec: &ConnectionSpec) -> SpecColumns<'_> {
    let (aws_role, external_id, aws_access_key_id, aws_secret_access_key) = match &spec.credentials
    {
        Credentials::Default => (None, None, None, None),
        Credentials::Role { arn, external_id } => (
            Some(arn.as_str()),
            external_id.as_ref().map(|e| e.as_str()),
            None,
            None,
        ),
        Credentials::Keys {
            access_key_id,
            secret_access_key,
        } => (
            None,
            None,
            Some(access_key_id.as_str()),
            Some(secret_access_key.expose()),
        ),
    };
    let filters: Vec<String> = spec
        .path_display_filters
        .iter()
        .map(|p| p.to_string())
        .collect();
    SpecColumns {
        authentication: spec.credentials.method(),
        aws_role,
        external_id,
        aws_access_key_id,
        aws_secret_access_key,
        path_display_filters: serde_json::to_string(&filters).unwrap_or_else(|_| "[]".into()),
        read_only: spec.read_only,
        encryption_kms_key: spec.encryption_kms_key.as_ref().map(|k| k.as_str()),
        encryption_customer_managed_key: spec
            .encryption_customer_managed_key
            .as_ref()
            .map(|k| k.expose()),
        comment: spec.comment.as_deref(),
    }
}

/// A job's columns besides the definition (what queries and rules read): its source tables
/// and its options, as JSON.
pub fn job_columns(spec: &JobSpec) -> (String, String) {
    let tables = serde_json::to_string(spec.source_tables()).unwrap_or_else(|_| "[]".into());
    let options: serde_json::Map<String, serde_json::Value> = spec
        .options
        .iter()
        .map(|(k, v)| {
            use crate::sql::options::OptionKey;
            (k.name().to_string(), v.to_json())
        })
        .collect();
    let options = serde_json::to_string(&options).unwrap_or_else(|_| "{}".into());
    (tables, options)
}

/// One table as `catalog copy` moves it: its columns (as text), which of them are flags, and
/// the column that orders its rows (history and validations keep their order).
pub struct CopyTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub flags: &'static [&'static str],
    pub order: &'static str,
}

impl CopyTable {
    pub fn is_flag(&self, column: &str) -> bool {
        self.flags.contains(&column)
    }
}

/// Every table of a catalog, in the order they are filled (a job needs its connection).
pub const COPY_TABLES: &[CopyTable] = &[
    CopyTable {
        name: "settings",
        columns: &["key", "value"],
        flags: &[],
        order: "key",
    },
    CopyTable {
        name: "connections",
        columns: &[
            "id",
            "name",
            "authentication",
            "aws_role",
            "external_id",
            "aws_access_key_id",
            "aws_secret_access_key",
            "path_display_filters",
            "read_only",
            "encryption_kms_key",
            "encryption_customer_managed_key",
            "comment",
            "created_at",
            "updated_at",
            "validated_at",
        ],
        flags: &["read_only"],
        order: "id",
    },
    CopyTable {
        name: "validations",
        columns: &[
            "connection_id",
            "at",
            "caller_arn",
            "assumed_role_arn",
            "warnings",
        ],
        flags: &[],
        order: "seq",
    },
    CopyTable {
        name: "jobs",
        columns: &[
            "id",
            "name",
            "connection_id",
            "kind",
            "sync",
            "writes",
            "location",
            "target",
            "source_tables",
            "options",
            "definition",
            "created_at",
            "updated_at",
            "validated_at",
        ],
        flags: &["sync", "writes"],
        order: "id",
    },
    CopyTable {
        name: "history",
        columns: &[
            "at",
            "os_user",
            "action",
            "object",
            "connection_id",
            "connection_name",
            "statement",
        ],
        flags: &[],
        order: "seq",
    },
];

/// Rows of one table, every cell as text (flags as `0`/`1`).
pub type TextRows = Vec<Vec<Option<String>>>;
