//! Connection rows: how a `ConnectionSpec` is laid out in the `connections` table and back.
//! Stored values are checked again when read, so a damaged catalog is an error, not a panic.

use rusqlite::{Connection, Row, params};
use time::OffsetDateTime;

use crate::catalog::codec::{self, CONNECTION_COLUMNS, CellError, Cells, connection_row};
use crate::catalog::model::{StoredConnection, ValidationRecord};
use crate::clock::rfc3339 as ts;
use crate::sql::ConnectionSpec;

/// The newest validation joins only while the connection's current credentials are validated.
macro_rules! from {
    () => {
        "FROM connections c LEFT JOIN connection_secrets s ON s.connection_id = c.id \
         LEFT JOIN validations v ON c.validated_at IS NOT NULL \
         AND v.seq = (SELECT max(seq) FROM validations WHERE connection_id = c.id)"
    };
}

pub fn select_by_name() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {CONNECTION_COLUMNS} {} WHERE c.name = ?1", from!()))
}

/// Every connection, by name: no pattern to match (SQLite would evaluate `LIKE '%'` per row).
pub fn select_all() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {CONNECTION_COLUMNS} {} ORDER BY c.name", from!()))
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

pub fn insert(conn: &Connection, c: &StoredConnection) -> rusqlite::Result<()> {
    let row = connection_row(&c.spec);
    conn.prepare_cached(
        "INSERT INTO connections (id, name, authentication, options, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        c.id,
        c.name,
        row.authentication,
        row.options,
        ts(c.created_at),
        ts(c.updated_at)
    ])?;
    if let Some(secrets) = &row.secrets {
        conn.prepare_cached(
            "INSERT INTO connection_secrets (connection_id, secrets) VALUES (?1, ?2)",
        )?
        .execute(params![c.id, secrets])?;
    }
    Ok(())
}

/// Replaces the options; `validated_at` is kept only when `keep_validation` (the credentials
/// are the ones proven).
pub fn update(
    conn: &Connection,
    id: &str,
    spec: &ConnectionSpec,
    keep_validation: bool,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    let row = connection_row(spec);
    conn.prepare_cached(
        "UPDATE connections SET authentication = ?2, options = ?3, updated_at = ?4, \
         validated_at = CASE WHEN ?5 THEN validated_at END WHERE id = ?1",
    )?
    .execute(params![
        id,
        row.authentication,
        row.options,
        ts(now),
        keep_validation
    ])?;
    conn.prepare_cached("DELETE FROM connection_secrets WHERE connection_id = ?1")?
        .execute([id])?;
    if let Some(secrets) = &row.secrets {
        conn.prepare_cached(
            "INSERT INTO connection_secrets (connection_id, secrets) VALUES (?1, ?2)",
        )?
        .execute(params![id, secrets])?;
    }
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
