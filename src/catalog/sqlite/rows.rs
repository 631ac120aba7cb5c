//! Connection rows: how a `ConnectionSpec` is laid out in the `connections` table and back.
//! Stored values are checked again when read, so a damaged catalog is an error, not a panic.

use rusqlite::{Connection, Row, ToSql, params};
use time::OffsetDateTime;

use crate::catalog::model::{StoredConnection, ValidationRecord};
use crate::clock::{parse_rfc3339, rfc3339 as ts};
use crate::sql::values::{AccessKeyId, ExternalId, KmsKeyArn, RoleArn, S3Path, Secret};
use crate::sql::{ConnectionSpec, Credentials};

macro_rules! columns {
    () => {
        "c.id, c.name, c.authentication, c.aws_role, c.external_id, c.aws_access_key_id, \
         c.aws_secret_access_key, c.path_display_filters, c.read_only, c.encryption_kms_key, \
         c.encryption_customer_managed_key, c.comment, c.created_at, c.updated_at, c.validated_at, \
         v.at, v.caller_arn, v.assumed_role_arn, v.warnings"
    };
}

/// The newest validation joins only while the connection's current credentials are validated.
macro_rules! from {
    () => {
        "FROM connections c LEFT JOIN validations v ON c.validated_at IS NOT NULL \
         AND v.seq = (SELECT max(seq) FROM validations WHERE connection_id = c.id)"
    };
}

pub const SELECT_BY_NAME: &str = concat!("SELECT ", columns!(), " ", from!(), " WHERE c.name = ?1");
pub const SELECT_LIKE: &str = concat!(
    "SELECT ",
    columns!(),
    " ",
    from!(),
    " WHERE c.name LIKE ?1 ESCAPE '\\' ORDER BY c.name"
);

fn parse_ts(idx: usize, s: &str) -> rusqlite::Result<OffsetDateTime> {
    parse_rfc3339(s).map_err(|e| conversion(idx, e))
}

fn conversion(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, msg.into())
}

/// Decodes a row of `SELECT_*`; stored values are checked again, so a damaged catalog is an error.
pub fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredConnection> {
    // Borrowed from the row: each value is copied once, into its checked type.
    let text = |i: usize| -> rusqlite::Result<Option<&str>> {
        r.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| conversion(i, e.to_string()))
    };
    let need = |i: usize| -> rusqlite::Result<&str> {
        text(i)?.ok_or_else(|| conversion(i, "missing value".into()))
    };
    let credentials = match need(2)? {
        "role" => Credentials::Role {
            arn: RoleArn::parse(need(3)?).map_err(|e| conversion(3, e.message))?,
            external_id: text(4)?
                .map(ExternalId::parse)
                .transpose()
                .map_err(|e| conversion(4, e.message))?,
        },
        "keys" => Credentials::Keys {
            access_key_id: AccessKeyId::parse(need(5)?).map_err(|e| conversion(5, e.message))?,
            secret_access_key: Secret::new(need(6)?),
        },
        _ => Credentials::Default,
    };
    let filters: Vec<String> = match need(7)? {
        "[]" => Vec::new(),
        json => serde_json::from_str(json).map_err(|e| conversion(7, e.to_string()))?,
    };
    let path_display_filters = filters
        .iter()
        .map(|p| S3Path::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| conversion(7, e.message))?;
    let encryption_kms_key = text(9)?
        .map(|s| KmsKeyArn::parse(s).map(|(k, _)| k))
        .transpose()
        .map_err(|e| conversion(9, e.message))?;
    let spec = ConnectionSpec {
        credentials,
        path_display_filters,
        read_only: r.get::<_, i64>(8)? != 0,
        encryption_kms_key,
        encryption_customer_managed_key: text(10)?.map(Secret::new),
        comment: text(11)?.map(str::to_string),
    };
    let validated_at = text(14)?.map(|s| parse_ts(14, s)).transpose()?;
    let validation = match text(15)? {
        Some(at) => Some(ValidationRecord {
            at: parse_ts(15, at)?,
            caller_arn: text(16)?.map(str::to_string),
            assumed_role_arn: text(17)?.map(str::to_string),
            warnings: serde_json::from_str(need(18)?).map_err(|e| conversion(18, e.to_string()))?,
        }),
        None => None,
    };
    Ok(StoredConnection {
        id: need(0)?.to_string(),
        name: need(1)?.to_string(),
        spec,
        created_at: parse_ts(12, need(12)?)?,
        updated_at: parse_ts(13, need(13)?)?,
        validated_at,
        validation,
    })
}

/// The spec's columns, in the order of the INSERT and UPDATE statements below.
struct SpecColumns<'a> {
    authentication: &'static str,
    aws_role: Option<&'a str>,
    external_id: Option<&'a str>,
    aws_access_key_id: Option<&'a str>,
    aws_secret_access_key: Option<&'a str>,
    path_display_filters: String,
    read_only: bool,
    encryption_kms_key: Option<&'a str>,
    encryption_customer_managed_key: Option<&'a str>,
    comment: Option<&'a str>,
}

fn columns(spec: &ConnectionSpec) -> SpecColumns<'_> {
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

impl SpecColumns<'_> {
    /// The ten spec columns, in the order of the statements below.
    fn values(&self) -> [&dyn ToSql; 10] {
        [
            &self.authentication,
            &self.aws_role,
            &self.external_id,
            &self.aws_access_key_id,
            &self.aws_secret_access_key,
            &self.path_display_filters,
            &self.read_only,
            &self.encryption_kms_key,
            &self.encryption_customer_managed_key,
            &self.comment,
        ]
    }
}

pub fn insert(conn: &Connection, c: &StoredConnection) -> rusqlite::Result<()> {
    let s = columns(&c.spec);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO connections (id, name, authentication, aws_role, external_id, aws_access_key_id, \
         aws_secret_access_key, path_display_filters, read_only, encryption_kms_key, \
         encryption_customer_managed_key, comment, created_at, updated_at, validated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL)",
    )?;
    let (created, updated) = (ts(c.created_at), ts(c.updated_at));
    let mut values: Vec<&dyn ToSql> = vec![&c.id, &c.name];
    values.extend(s.values());
    values.extend([&created as &dyn ToSql, &updated]);
    stmt.execute(&*values)?;
    Ok(())
}

/// Replaces the options. `validated_at` is cleared: the new options have not been proven yet.
pub fn update(
    conn: &Connection,
    id: &str,
    spec: &ConnectionSpec,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    let s = columns(spec);
    let mut stmt = conn.prepare_cached(
        "UPDATE connections SET authentication = ?2, aws_role = ?3, external_id = ?4, aws_access_key_id = ?5, \
         aws_secret_access_key = ?6, path_display_filters = ?7, read_only = ?8, encryption_kms_key = ?9, \
         encryption_customer_managed_key = ?10, comment = ?11, updated_at = ?12, \
         validated_at = CASE WHEN authentication = ?2 AND aws_role IS ?3 AND external_id IS ?4 \
             AND aws_access_key_id IS ?5 AND aws_secret_access_key IS ?6 THEN validated_at END \
         WHERE id = ?1",
    )?;
    let now = ts(now);
    let mut values: Vec<&dyn ToSql> = vec![&id];
    values.extend(s.values());
    values.push(&now);
    stmt.execute(&*values)?;
    Ok(())
}

pub fn record_validation(
    conn: &Connection,
    id: &str,
    v: &ValidationRecord,
) -> rusqlite::Result<()> {
    let warnings = serde_json::to_string(&v.warnings).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "INSERT INTO validations (connection_id, at, caller_arn, assumed_role_arn, warnings) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, ts(v.at), v.caller_arn, v.assumed_role_arn, warnings])?;
    conn.prepare_cached("UPDATE connections SET validated_at = ?2 WHERE id = ?1")?
        .execute(params![id, ts(v.at)])?;
    Ok(())
}
