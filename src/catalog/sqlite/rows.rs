//! Connection rows: how a `ConnectionSpec` is laid out in the `connections` table and back.
//! Stored values are checked again when read, so a damaged catalog is an error, not a panic.

use rusqlite::{Connection, Row, ToSql, params};
use time::OffsetDateTime;

use crate::catalog::codec::{
    self, CONNECTION_COLUMNS, CellError, Cells, SpecColumns, spec_columns,
};
use crate::catalog::model::{StoredConnection, ValidationRecord};
use crate::clock::rfc3339 as ts;
use crate::sql::ConnectionSpec;

/// The newest validation joins only while the connection's current credentials are validated.
macro_rules! from {
    () => {
        "FROM connections c LEFT JOIN validations v ON c.validated_at IS NOT NULL \
         AND v.seq = (SELECT max(seq) FROM validations WHERE connection_id = c.id)"
    };
}

pub fn select_by_name() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {CONNECTION_COLUMNS} {} WHERE c.name = ?1", from!()))
}

pub fn select_like() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT {CONNECTION_COLUMNS} {} WHERE c.name LIKE ?1 ESCAPE '\\' ORDER BY c.name",
            from!()
        )
    })
}

/// A rusqlite row as the codec reads it: text borrowed from the row, flags as integers.
pub struct SqliteCells<'r, 's>(pub &'r Row<'s>);

impl Cells for SqliteCells<'_, '_> {
    fn text(&self, i: usize) -> Result<Option<&str>, String> {
        self.0
            .get_ref(i)
            .map_err(|e| e.to_string())?
            .as_str_or_null()
            .map_err(|e| e.to_string())
    }

    fn flag(&self, i: usize) -> Result<bool, String> {
        self.0
            .get::<_, i64>(i)
            .map(|v| v != 0)
            .map_err(|e| e.to_string())
    }
}

pub fn conversion((idx, msg): CellError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, msg.into())
}

/// Decodes a connection row; stored values are checked again, so a damaged catalog is an error.
pub fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredConnection> {
    codec::connection(&SqliteCells(r)).map_err(conversion)
}

/// The ten spec columns, in the order of the statements below.
fn values_of<'a>(s: &'a SpecColumns<'_>) -> [&'a dyn ToSql; 10] {
    [
        &s.authentication,
        &s.aws_role,
        &s.external_id,
        &s.aws_access_key_id,
        &s.aws_secret_access_key,
        &s.path_display_filters,
        &s.read_only,
        &s.encryption_kms_key,
        &s.encryption_customer_managed_key,
        &s.comment,
    ]
}

pub fn insert(conn: &Connection, c: &StoredConnection) -> rusqlite::Result<()> {
    let s = spec_columns(&c.spec);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO connections (id, name, authentication, aws_role, external_id, aws_access_key_id, \
         aws_secret_access_key, path_display_filters, read_only, encryption_kms_key, \
         encryption_customer_managed_key, comment, created_at, updated_at, validated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL)",
    )?;
    let (created, updated) = (ts(c.created_at), ts(c.updated_at));
    let mut values: Vec<&dyn ToSql> = vec![&c.id, &c.name];
    values.extend(values_of(&s));
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
    let s = spec_columns(spec);
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
    values.extend(values_of(&s));
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
