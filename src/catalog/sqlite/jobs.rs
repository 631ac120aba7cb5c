//! Job rows: a job's columns in the `jobs` table, and the job read back from its definition
//! (its canonical CREATE statement, parsed and checked again: a damaged row is an error).

use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use super::rows::{SqliteCells, conversion};
use crate::catalog::codec::{self, JOB_COLUMNS, job_columns};
use crate::catalog::model::{Dependents, StoredJob};
use crate::clock::rfc3339;
use crate::sql::job_spec::JobSpec;

fn select() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!("SELECT {JOB_COLUMNS} FROM jobs j JOIN connections c ON c.id = j.connection_id")
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredJob> {
    codec::job(&SqliteCells(r)).map_err(conversion)
}

pub fn by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<StoredJob>> {
    conn.prepare_cached(&format!("{} WHERE j.name = ?1", select()))?
        .query_row([name], from_row)
        .optional()
}

pub fn all(
    conn: &Connection,
    like: Option<&str>,
    connection_id: Option<&str>,
) -> rusqlite::Result<Vec<StoredJob>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{} WHERE j.name LIKE ?1 ESCAPE '\\' AND (?2 IS NULL OR j.connection_id = ?2) ORDER BY j.name",
        select()
    ))?;
    let rows = stmt.query_map(params![like.unwrap_or("%"), connection_id], from_row)?;
    rows.collect()
}

pub fn insert(conn: &Connection, job: &StoredJob, definition: &str) -> rusqlite::Result<()> {
    let (tables, options) = job_columns(&job.spec);
    conn.prepare_cached(
        "INSERT INTO jobs (id, name, connection_id, kind, sync, writes, location, target, source_tables, \
         options, definition, created_at, updated_at, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        job.id,
        job.name,
        job.connection_id,
        job.spec.kind().as_str(),
        job.spec.sync,
        job.spec.writes(),
        job.spec.location(),
        job.spec.target(),
        tables,
        options,
        definition,
        rfc3339(job.created_at),
        rfc3339(job.updated_at),
        job.owner,
    ])?;
    Ok(())
}

/// Replaces the definition; `validated_at` is cleared when the connection changes.
pub fn update(
    conn: &Connection,
    id: &str,
    connection_id: &str,
    spec: &JobSpec,
    definition: &str,
    now: OffsetDateTime,
) -> rusqlite::Result<()> {
    let (tables, options) = job_columns(spec);
    conn.prepare_cached(
        "UPDATE jobs SET validated_at = CASE WHEN connection_id = ?2 THEN validated_at END, \
         connection_id = ?2, kind = ?3, sync = ?4, writes = ?5, location = ?6, target = ?7, \
         source_tables = ?8, options = ?9, definition = ?10, updated_at = ?11 WHERE id = ?1",
    )?
    .execute(params![
        id,
        connection_id,
        spec.kind().as_str(),
        spec.sync,
        spec.writes(),
        spec.location(),
        spec.target(),
        tables,
        options,
        definition,
        rfc3339(now),
    ])?;
    Ok(())
}

pub fn dependents(
    conn: &Connection,
    connection_id: &str,
    writers: bool,
    limit: usize,
) -> rusqlite::Result<Dependents> {
    // Both read the (connection_id, writes, name) index, without touching the rows; the count
    // stops one past what is said exactly.
    let filter = if writers { "AND writes = 1" } else { "" };
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE connection_id = ?1 {filter} LIMIT {})",
            Dependents::COUNTED + 1
        ))?
        .query_row([connection_id], |r| r.get(0))?;
    if count == 0 {
        return Ok(Dependents::default());
    }
    // The index is ordered by name within each `writes` value: the first names of each are
    // read in order and merged, rather than all names sorted.
    let sql = if writers {
        "SELECT name FROM jobs WHERE connection_id = ?1 AND writes = 1 ORDER BY name LIMIT ?2"
    } else {
        "SELECT name FROM (SELECT name FROM jobs WHERE connection_id = ?1 AND writes = 0 \
                           ORDER BY name LIMIT ?2) \
         UNION ALL \
         SELECT name FROM (SELECT name FROM jobs WHERE connection_id = ?1 AND writes = 1 \
                           ORDER BY name LIMIT ?2) \
         ORDER BY name LIMIT ?2"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let names = stmt
        .query_map(params![connection_id, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Dependents {
        names,
        count: count as usize,
    })
}

pub fn delete_of(
    conn: &Connection,
    connection_id: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("DELETE FROM jobs WHERE connection_id = ?1 RETURNING id, name")?;
    let mut gone = stmt
        .query_map([connection_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    gone.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(gone)
}
