//! The PostgreSQL engine: a catalog shared by a team, in the `connsql` schema of a database.
//! Writers take turns as SQLite's do: a write transaction starts by locking the connections
//! and jobs tables against other writers (readers are never blocked), so names stay unique,
//! no job is created against a connection dropped at the same moment, and no ALTER is lost.

mod kept;
mod schema;
pub mod target;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};
use time::OffsetDateTime;

use super::codec::{self, CONNECTION_COLUMNS, CellError, Cells, CopyTable, JOB_COLUMNS, TextRows};
use super::engine::{Control, Engine, Expected, NewHistory};
use super::model::{
    Access, CatalogSettings, CredentialIssue, Dependents, GrantRecord, HistoryEntry, Location,
    Standing, StoredConnection, StoredJob, ValidationRecord, os_user, random_hex,
};
use super::{CatalogError, Result};
use crate::clock::rfc3339;
use crate::sql::ConnectionSpec;
use crate::sql::ast::Privilege;
use crate::sql::job_spec::JobSpec;
pub use schema::CURRENT_VERSION;

/// How long a writer waits for another's transaction before giving up (as SQLite's busy wait).
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

pub struct PostgresEngine {
    client: Client,
    /// The URL without its password, for messages.
    place: PathBuf,
    location: Location,
    settings: CatalogSettings,
    statements: HashMap<String, Statement>,
    /// Rows of the open transaction not sent yet (see [`PostgresEngine::flush_rows`]).
    rows: kept::Rows,
    /// What the open write transaction knows: read under the writer lock, so no other writer
    /// can change it until the transaction ends, and kept true by the transaction's own writes.
    known: kept::Known,
    /// Whether a write transaction is open (the writer lock held).
    writing: bool,
    /// Rows kept back were refused: the server aborted the transaction, so it cannot commit.
    refused: bool,
    /// Who runs connsql and what they may do, as read when the open write transaction began
    /// (under the writer lock, so it holds for the transaction); `None` outside one.
    access: Option<Access>,
    /// The same, as read when the catalog was opened: it serves the first statement only.
    opened_with: Option<Access>,
}

/// What the current role may do, in one query (the functions of schema 5).
const ACCESS: &str = "SELECT current_user::text, connsql.is_admin(current_user), \
     connsql.is_member(current_user)";

/// Rows per multi-row INSERT (a job's 14 columns make 14,000 parameters, under the
/// protocol's 65,535).
const ROW_BATCH: usize = 1000;

/// A PostgreSQL row as the codec reads it.
struct PgCells<'r>(&'r Row);

impl Cells for PgCells<'_> {
    fn text(&self, i: usize) -> std::result::Result<Option<&str>, String> {
        self.0.try_get(i).map_err(|e| e.to_string())
    }

    fn flag(&self, i: usize) -> std::result::Result<bool, String> {
        self.0.try_get(i).map_err(|e| e.to_string())
    }
}

impl PostgresEngine {
    /// Connects to the database `target` names; with `create`, a database without the
    /// `connsql` schema gets one (racing processes wait for the first).
    pub fn open(target: &Path, create: bool, timeout: Duration) -> Result<PostgresEngine> {
        let place = PathBuf::from(target::shown(target));
        let io = |message: String| CatalogError::Io {
            path: place.clone(),
            message,
        };
        let config = target::config(target, timeout).map_err(io)?;
        let mut client = connect_within(config, timeout, &place)?;
        client
            .batch_execute(&format!(
                "SET lock_timeout = '{}s'; SET search_path TO connsql",
                LOCK_TIMEOUT.as_secs()
            ))
            .map_err(|e| pg_error(&place, &e))?;
        let version = schema_version(&mut client, &place)?;
        match version {
            Some(v) if v > CURRENT_VERSION => {
                return Err(CatalogError::TooNew {
                    path: place,
                    found: v,
                    supported: CURRENT_VERSION,
                });
            }
            Some(v) if v < CURRENT_VERSION => {
                let owner = schema_owner(&mut client, &place)?;
                if !owner.1 {
                    return Err(CatalogError::NeedsOwner {
                        path: place,
                        found: v,
                        wanted: CURRENT_VERSION,
                        owner: owner.0,
                    });
                }
                migrate(&mut client, &place)?
            }
            Some(_) => {}
            None if !create => {
                return Err(CatalogError::Missing {
                    path: place,
                    default: None,
                });
            }
            None => create_schema(&mut client, &place)?,
        }
        let access = read_access(&mut client, &place)?;
        if access.standing == Standing::Outsider {
            return Err(CatalogError::NotAMember {
                owner: schema_owner(&mut client, &place)?.0,
                path: place,
                role: access.role,
            });
        }
        let settings = load_settings(&mut client, &place)?;
        let opened_with = Some(access);
        Ok(PostgresEngine {
            client,
            location: Location {
                engine: "postgresql",
                place: place.display().to_string(),
            },
            place,
            settings,
            statements: HashMap::new(),
            rows: kept::Rows::default(),
            known: kept::Known::default(),
            writing: false,
            refused: false,
            access: None,
            opened_with,
        })
    }

    /// Sends the waiting history rows as multi-row INSERTs. History is appended by every
    /// change and never read back inside the transaction that wrote it, so its rows wait and
    /// go together: a round trip per statement fewer, which is most of a batch's time against
    /// a server. They are sent before any savepoint boundary, commit and read of history, so
    /// what a savepoint or commit covers is exactly what it did with SQLite.
    fn flush_history(&mut self) -> Result<()> {
        self.flush_rows()?;
        let history = std::mem::take(&mut self.rows.history);
        let sent = self.insert_rows(&kept::HISTORY, &history);
        self.refused |= sent.is_err();
        sent
    }

    /// Sends the waiting new connections, their secrets and new jobs, as multi-row INSERTs. A
    /// new row waits in the engine like a history row, until the next statement sent to the
    /// server for any other reason, savepoint boundary or commit: the server sees every row
    /// before anything that could read or reference it, and the name checks in between are
    /// answered from what the transaction knows. A batch of CREATEs costs a round trip per
    /// thousand rows instead of one per row.
    fn flush_rows(&mut self) -> Result<()> {
        if self.rows.waiting() == 0 {
            return Ok(());
        }
        let connections = std::mem::take(&mut self.rows.connections);
        let secrets = std::mem::take(&mut self.rows.secrets);
        let jobs = std::mem::take(&mut self.rows.jobs);
        let sent = self
            .insert_rows(&kept::CONNECTIONS, &connections)
            .and_then(|()| self.insert_rows(&kept::SECRETS, &secrets))
            .and_then(|()| self.insert_rows(&kept::JOBS, &jobs));
        if sent.is_err() {
            self.rows.history.clear();
            self.refused = true;
        }
        sent
    }

    /// Inserts `rows` into `table`, [`ROW_BATCH`] rows per statement.
    fn insert_rows<const N: usize>(
        &mut self,
        table: &kept::Table,
        rows: &[[Option<String>; N]],
    ) -> Result<()> {
        for chunk in rows.chunks(ROW_BATCH) {
            let n = chunk.len();
            let sql = kept::insert(table, n);
            let params: Vec<&(dyn ToSql + Sync)> = chunk
                .iter()
                .flat_map(|row| row.iter().map(|cell| cell as &(dyn ToSql + Sync)))
                .collect();
            // The full batch and the single row come back again and again: prepared once.
            // Other sizes are one-offs, not worth a server-side statement each.
            if n == ROW_BATCH || n == 1 {
                let s = self.prepared(&sql)?;
                self.client.execute(&s, &params).map_err(|e| self.err(e))?;
            } else {
                self.client
                    .execute(sql.as_str(), &params)
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    /// Forgets what the transaction knew and kept back: it ended, or went back to a savepoint.
    fn forget(&mut self) {
        self.refused = false;
        self.rows.clear();
        self.known.forget();
    }

    /// Whether names exist in `table` (`connections` or `jobs`), answered from what the write
    /// transaction knows, else asked together with the names the window expects.
    fn name_exists(&mut self, jobs: bool, name: &str) -> Result<bool> {
        let (sql, single) = if jobs {
            (
                "SELECT name FROM jobs WHERE name = ANY($1)",
                "SELECT 1 FROM jobs WHERE name = $1",
            )
        } else {
            (
                "SELECT name FROM connections WHERE name = ANY($1)",
                "SELECT 1 FROM connections WHERE name = $1",
            )
        };
        if !self.writing {
            return Ok(!self.query(single, &[&name])?.is_empty());
        }
        let names = if jobs {
            &mut self.known.jobs
        } else {
            &mut self.known.connections
        };
        if let Some(known) = names.get(name) {
            return Ok(known);
        }
        // Under the writer lock, what the server answers holds until the transaction ends;
        // what this transaction kept back is not on the server yet, but is known already.
        let asked = names.to_ask(name);
        let found: Vec<String> = self
            .query(sql, &[&asked])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let exists = found.iter().any(|n| n == name);
        let names = if jobs {
            &mut self.known.jobs
        } else {
            &mut self.known.connections
        };
        names.answer(asked, &found);
        Ok(exists)
    }

    fn err(&self, e: postgres::Error) -> CatalogError {
        pg_error(&self.place, &e)
    }

    /// A prepared statement, prepared once per connection.
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self
            .client
            .prepare(sql)
            .map_err(|e| pg_error(&self.place, &e))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        self.flush_rows()?;
        let s = self.prepared(sql)?;
        self.client.query(&s, params).map_err(|e| self.err(e))
    }

    fn execute(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.flush_rows()?;
        let s = self.prepared(sql)?;
        self.client.execute(&s, params).map_err(|e| self.err(e))
    }

    fn decode<T>(
        &self,
        rows: Vec<Row>,
        f: impl Fn(&PgCells<'_>) -> std::result::Result<T, CellError>,
    ) -> Result<Vec<T>> {
        rows.iter()
            .map(|r| {
                f(&PgCells(r)).map_err(|(i, message)| CatalogError::Damaged {
                    path: self.place.clone(),
                    reason: format!("a stored value (column {i}) is not valid: {message}"),
                })
            })
            .collect()
    }

    fn strings(&mut self, sql: &str) -> Result<Vec<String>> {
        let rows = self.query(sql, &[])?;
        rows.iter()
            .map(|r| r.try_get::<_, String>(0).map_err(|e| self.err(e)))
            .collect()
    }
}

/// The newest validation joins only while the connection's current credentials are validated.
/// Secrets join only for a reader who may see them (administrators: row-level security).
const FROM: &str = "FROM connections c LEFT JOIN connection_secrets s ON s.connection_id = c.id \
     LEFT JOIN validations v ON c.validated_at IS NOT NULL \
     AND v.seq = (SELECT max(seq) FROM validations WHERE connection_id = c.id)";

impl Engine for PostgresEngine {
    fn location(&self) -> &Location {
        &self.location
    }

    fn settings(&self) -> &CatalogSettings {
        &self.settings
    }

    fn control(&mut self, op: Control) -> Result<()> {
        if op == Control::Begin {
            self.opened_with = None;
            // Writers take turns; readers (plain SELECTs) are not blocked by this lock. What
            // the role may do is read in the same round trip, once it holds the lock.
            self.forget();
            let messages = self
                .client
                .simple_query(&format!(
                    "BEGIN; LOCK TABLE connections, jobs IN SHARE ROW EXCLUSIVE MODE; {ACCESS}"
                ))
                .map_err(|e| self.err(e))?;
            let row = messages.iter().find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            });
            self.access =
                row.and_then(|r| access_of(r.get(0)?, r.get(1)? == "t", r.get(2)? == "t").into());
            self.writing = true;
            return Ok(());
        }
        if matches!(op, Control::Commit | Control::Rollback) {
            self.access = None;
            self.writing = false;
        }
        match op {
            // Rows left from a transaction the server ended on its own belong to nothing.
            // After a savepoint's rollback, what was kept here since it was sent is void, and
            // what the server knew of names may be too.
            Control::Begin | Control::Rollback | Control::RollbackToSavepoint => self.forget(),
            // A read between statements may have sent rows the server refused; COMMIT would
            // then quietly roll back what was reported as applied.
            Control::Commit if self.refused => {
                self.forget();
                return Err(CatalogError::Poisoned);
            }
            Control::Commit | Control::Savepoint | Control::Release => {
                if let Err(e) = self.flush_history() {
                    self.forget();
                    return Err(e);
                }
                if op == Control::Commit {
                    self.known.forget();
                }
            }
        }
        let sql = match op {
            Control::Begin => unreachable!("handled above"),
            Control::Commit => "COMMIT",
            Control::Rollback => "ROLLBACK",
            Control::Savepoint => "SAVEPOINT statement",
            Control::Release => "RELEASE SAVEPOINT statement",
            Control::RollbackToSavepoint => "ROLLBACK TO SAVEPOINT statement",
        };
        self.client.batch_execute(sql).map_err(|e| self.err(e))
    }

    fn transaction_lost(&mut self) -> bool {
        self.client.is_closed()
    }

    fn connection(&mut self, name: &str) -> Result<Option<StoredConnection>> {
        // A batch of jobs on one connection reads it once per transaction.
        if self.writing
            && let Some(read) = self.known.read.get(name)
        {
            return Ok(Some(read.clone()));
        }
        let rows = self.query(
            &format!("SELECT {CONNECTION_COLUMNS} {FROM} WHERE c.name = $1"),
            &[&name],
        )?;
        let found = self
            .decode(rows, |c| codec::connection(c))?
            .into_iter()
            .next();
        if self.writing
            && let Some(c) = &found
        {
            self.known.read.insert(name.to_string(), c.clone());
        }
        Ok(found)
    }

    fn exists(&mut self, name: &str) -> Result<bool> {
        self.name_exists(false, name)
    }

    fn expect(&mut self, expected: Expected) {
        self.known.connections.expect(expected.connections);
        self.known.jobs.expect(expected.jobs);
    }

    fn flush(&mut self) -> Result<()> {
        self.flush_history()
    }

    fn connections(&mut self, like: Option<&str>) -> Result<Vec<StoredConnection>> {
        let like = like.unwrap_or("%");
        let rows = self.query(
            &format!("SELECT {CONNECTION_COLUMNS} {FROM} WHERE c.name ILIKE $1 ESCAPE '\\' ORDER BY c.name"),
            &[&like],
        )?;
        self.decode(rows, |c| codec::connection(c))
    }

    fn names(&mut self) -> Result<Vec<String>> {
        self.strings("SELECT name FROM connections ORDER BY name")
    }

    fn insert(&mut self, c: &StoredConnection) -> Result<()> {
        let row = codec::connection_row(&c.spec);
        if let Some(secrets) = row.secrets {
            self.rows.secrets.push([Some(c.id.clone()), Some(secrets)]);
        }
        self.rows.connections.push([
            Some(c.id.clone()),
            Some(c.name.clone()),
            Some(row.authentication.to_string()),
            Some(row.options),
            Some(rfc3339(c.created_at)),
            Some(rfc3339(c.updated_at)),
        ]);
        if self.writing {
            self.known.connections.remember(c.name.clone(), true);
        }
        if self.rows.connections.len() >= ROW_BATCH {
            self.flush_rows()?;
        }
        Ok(())
    }

    fn update(
        &mut self,
        id: &str,
        spec: &ConnectionSpec,
        keep_validation: bool,
        now: OffsetDateTime,
    ) -> Result<()> {
        let row = codec::connection_row(spec);
        self.known.connections_changed();
        self.execute(
            "UPDATE connections SET authentication = $2, options = $3, updated_at = $4, \
             validated_at = CASE WHEN $5 THEN validated_at END WHERE id = $1",
            &[
                &id,
                &row.authentication,
                &row.options,
                &rfc3339(now),
                &keep_validation,
            ],
        )?;
        match &row.secrets {
            Some(secrets) => self.execute(
                "INSERT INTO connection_secrets (connection_id, secrets) VALUES ($1, $2) \
                 ON CONFLICT (connection_id) DO UPDATE SET secrets = EXCLUDED.secrets",
                &[&id, secrets],
            ),
            None if spec.withheld().is_empty() => self.execute(
                "DELETE FROM connection_secrets WHERE connection_id = $1",
                &[&id],
            ),
            // Withheld from this writer: what is stored stays.
            None => Ok(0),
        }
        .map(drop)
    }

    fn rename(&mut self, id: &str, new_name: &str, now: OffsetDateTime) -> Result<()> {
        // Names known here are by name, not id: what the old one was is not at hand.
        self.known.connections_changed();
        self.execute(
            "UPDATE connections SET name = $2, updated_at = $3 WHERE id = $1",
            &[&id, &new_name, &rfc3339(now)],
        )
        .map(drop)
    }

    fn delete(&mut self, id: &str) -> Result<()> {
        self.known.connections_changed();
        self.execute("DELETE FROM connections WHERE id = $1", &[&id])
            .map(drop)
    }

    fn record_history(&mut self, e: NewHistory<'_>) -> Result<()> {
        self.rows.history.push([
            Some(rfc3339(e.at)),
            Some(os_user().to_string()),
            Some(e.action.to_string()),
            Some(e.object.to_string()),
            Some(e.connection_id.to_string()),
            Some(e.connection_name.to_string()),
            Some(e.statement.to_string()),
        ]);
        if self.rows.history.len() >= ROW_BATCH {
            self.flush_history()?;
        }
        Ok(())
    }

    fn history(&mut self) -> Result<Vec<HistoryEntry>> {
        self.flush_history()?;
        let rows = self.query(
            "SELECT at, os_user, action, object, connection_name, statement FROM history ORDER BY seq",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    at: r.try_get(0).map_err(|e| self.err(e))?,
                    os_user: r.try_get(1).map_err(|e| self.err(e))?,
                    action: r.try_get(2).map_err(|e| self.err(e))?,
                    object: r.try_get(3).map_err(|e| self.err(e))?,
                    connection_name: r.try_get(4).map_err(|e| self.err(e))?,
                    statement: r.try_get(5).map_err(|e| self.err(e))?,
                })
            })
            .collect()
    }

    fn record_validation(&mut self, id: &str, v: &ValidationRecord) -> Result<()> {
        let warnings = serde_json::to_string(&v.warnings).unwrap_or_else(|_| "[]".into());
        let at = rfc3339(v.at);
        self.known.read.clear();
        self.execute(
            "INSERT INTO validations (connection_id, at, caller_arn, assumed_role_arn, warnings) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&id, &at, &v.caller_arn, &v.assumed_role_arn, &warnings],
        )?;
        self.execute(
            "UPDATE connections SET validated_at = $2 WHERE id = $1",
            &[&id, &at],
        )
        .map(drop)
    }

    fn job(&mut self, name: &str) -> Result<Option<StoredJob>> {
        let rows = self.query(
            &format!(
                "SELECT {JOB_COLUMNS} FROM jobs j JOIN connections c ON c.id = j.connection_id WHERE j.name = $1"
            ),
            &[&name],
        )?;
        Ok(self.decode(rows, |c| codec::job(c))?.into_iter().next())
    }

    fn job_exists(&mut self, name: &str) -> Result<bool> {
        self.name_exists(true, name)
    }

    fn jobs(&mut self, like: Option<&str>, connection_id: Option<&str>) -> Result<Vec<StoredJob>> {
        let like = like.unwrap_or("%");
        let rows = self.query(
            &format!(
                "SELECT {JOB_COLUMNS} FROM jobs j JOIN connections c ON c.id = j.connection_id \
                 WHERE j.name ILIKE $1 ESCAPE '\\' AND ($2::text IS NULL OR j.connection_id = $2) ORDER BY j.name"
            ),
            &[&like, &connection_id],
        )?;
        self.decode(rows, |c| codec::job(c))
    }

    fn job_names(&mut self) -> Result<Vec<String>> {
        self.strings("SELECT name FROM jobs ORDER BY name")
    }

    fn insert_job(&mut self, job: &StoredJob, definition: &str) -> Result<()> {
        let (tables, options) = codec::job_columns(&job.spec);
        let flag = |b: bool| Some(if b { "true" } else { "false" }.to_string());
        self.rows.jobs.push([
            Some(job.id.clone()),
            Some(job.name.clone()),
            Some(job.connection_id.clone()),
            Some(job.spec.kind().as_str().to_string()),
            flag(job.spec.sync),
            flag(job.spec.writes()),
            Some(job.spec.location()),
            job.spec.target(),
            Some(tables),
            Some(options),
            Some(definition.to_string()),
            Some(rfc3339(job.created_at)),
            Some(rfc3339(job.updated_at)),
            Some(job.owner.clone()),
        ]);
        if self.writing {
            self.known.jobs.remember(job.name.clone(), true);
        }
        if self.rows.jobs.len() >= ROW_BATCH {
            self.flush_rows()?;
        }
        Ok(())
    }

    fn update_job(
        &mut self,
        id: &str,
        connection_id: &str,
        spec: &JobSpec,
        definition: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let (tables, options) = codec::job_columns(spec);
        self.execute(
            "UPDATE jobs SET validated_at = CASE WHEN connection_id = $2 THEN validated_at END, \
             connection_id = $2, kind = $3, sync = $4, writes = $5, location = $6, target = $7, \
             source_tables = $8, options = $9, definition = $10, updated_at = $11 WHERE id = $1",
            &[
                &id,
                &connection_id,
                &spec.kind().as_str(),
                &spec.sync,
                &spec.writes(),
                &spec.location(),
                &spec.target(),
                &tables,
                &options,
                &definition,
                &rfc3339(now),
            ],
        )
        .map(drop)
    }

    fn delete_job(&mut self, id: &str) -> Result<()> {
        self.known.jobs.forget();
        self.execute("DELETE FROM jobs WHERE id = $1", &[&id])
            .map(drop)
    }

    fn dependents(
        &mut self,
        connection_id: &str,
        writers: bool,
        limit: usize,
    ) -> Result<Dependents> {
        let limit = limit as i64;
        // The count stops one past what is said exactly (`Dependents::COUNTED`).
        let (count_sql, names_sql) = if writers {
            (
                "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE connection_id = $1 AND writes \
                 LIMIT $2) AS j",
                "SELECT name FROM jobs WHERE connection_id = $1 AND writes ORDER BY name LIMIT $2",
            )
        } else {
            (
                "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE connection_id = $1 LIMIT $2) AS j",
                "SELECT name FROM jobs WHERE connection_id = $1 ORDER BY name LIMIT $2",
            )
        };
        let cap = Dependents::COUNTED as i64 + 1;
        let count: i64 = self.query(count_sql, &[&connection_id, &cap])?[0]
            .try_get(0)
            .map_err(|e| self.err(e))?;
        if count == 0 {
            return Ok(Dependents::default());
        }
        let rows = self.query(names_sql, &[&connection_id, &limit])?;
        let names = rows
            .iter()
            .map(|r| r.try_get::<_, String>(0).map_err(|e| self.err(e)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Dependents {
            names,
            count: count as usize,
        })
    }

    fn delete_jobs_of(&mut self, connection_id: &str) -> Result<Vec<(String, String)>> {
        self.known.jobs.forget();
        let rows = self.query(
            "DELETE FROM jobs WHERE connection_id = $1 RETURNING id, name",
            &[&connection_id],
        )?;
        let mut gone = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(|e| self.err(e))?,
                    r.try_get(1).map_err(|e| self.err(e))?,
                ))
            })
            .collect::<Result<Vec<(String, String)>>>()?;
        gone.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(gone)
    }

    fn export_rows(&mut self, table: &CopyTable) -> Result<TextRows> {
        self.flush_history()?;
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| {
                if table.is_flag(c) {
                    format!("CASE WHEN {c} THEN '1' ELSE '0' END")
                } else {
                    format!("{c}::text")
                }
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            table.name,
            table.order
        );
        let rows = self.client.query(&sql, &[]).map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                (0..table.columns.len())
                    .map(|i| r.try_get::<_, Option<String>>(i).map_err(|e| self.err(e)))
                    .collect()
            })
            .collect()
    }

    fn import_rows(&mut self, table: &CopyTable, rows: &TextRows) -> Result<()> {
        self.flush_rows()?;
        self.known.forget();
        let sql = table.insert_sql(|n, flag| {
            if flag {
                format!("${n}::text::int::boolean")
            } else {
                format!("${n}::text")
            }
        });
        let stmt = self.client.prepare(&sql).map_err(|e| self.err(e))?;
        for row in rows {
            let params: Vec<&(dyn ToSql + Sync)> =
                row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            self.client
                .execute(&stmt, &params)
                .map_err(|e| pg_error(&self.place, &e))?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.flush_rows()?;
        self.known.forget();
        self.client
            .batch_execute(
                "ALTER TABLE history DISABLE TRIGGER history_append_only; DELETE FROM history; \
                 ALTER TABLE history ENABLE TRIGGER history_append_only; \
                 DELETE FROM jobs; DELETE FROM validations; DELETE FROM connection_secrets; DELETE FROM connections; DELETE FROM settings;",
            )
            .map_err(|e| self.err(e))
    }

    fn access(&mut self) -> Result<Access> {
        if let Some(access) = &self.access {
            return Ok(access.clone());
        }
        // What opening the catalog read serves the first statement; later ones read again.
        if let Some(access) = self.opened_with.take() {
            return Ok(access);
        }
        read_access(&mut self.client, &self.place)
    }

    fn may_use(&mut self, connection_id: &str) -> Result<bool> {
        if self.writing
            && let Some(&usable) = self.known.usable.get(connection_id)
        {
            return Ok(usable);
        }
        let usable: bool = self.query(
            "SELECT connsql.may_use(current_user, $1)",
            &[&connection_id],
        )?[0]
            .try_get(0)
            .map_err(|e| self.err(e))?;
        if self.writing {
            self.known.usable.insert(connection_id.to_string(), usable);
        }
        Ok(usable)
    }

    fn roles(&mut self) -> Result<Vec<String>> {
        self.strings("SELECT rolname::text FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname")
    }

    fn grant(
        &mut self,
        privilege: Privilege,
        connection_id: Option<&str>,
        role: &str,
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.flush_history()?;
        self.known.usable.clear();
        Ok(self.execute(
            "INSERT INTO grants (privilege, connection_id, role, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &[&privilege_name(privilege), &connection_id, &role, &rfc3339(at)],
        )? > 0)
    }

    fn revoke(
        &mut self,
        privilege: Privilege,
        connection_id: Option<&str>,
        role: &str,
    ) -> Result<bool> {
        self.known.usable.clear();
        Ok(self.execute(
            "DELETE FROM grants WHERE privilege = $1 AND connection_id IS NOT DISTINCT FROM $2 \
             AND role = $3",
            &[&privilege_name(privilege), &connection_id, &role],
        )? > 0)
    }

    fn grants(&mut self) -> Result<Vec<GrantRecord>> {
        let rows = self.query(
            "SELECT g.role, g.privilege, c.name, g.granted_by, g.granted_at FROM grants g \
             LEFT JOIN connections c ON c.id = g.connection_id \
             ORDER BY g.role COLLATE \"C\", g.connection_id IS NOT NULL, g.privilege, c.name",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let privilege: String = r.try_get(1).map_err(|e| self.err(e))?;
                Ok(GrantRecord {
                    role: r.try_get(0).map_err(|e| self.err(e))?,
                    privilege: if privilege == "admin" {
                        Privilege::Admin
                    } else {
                        Privilege::Usage
                    },
                    connection: r.try_get(2).map_err(|e| self.err(e))?,
                    granted_by: r.try_get(3).map_err(|e| self.err(e))?,
                    granted_at: r.try_get(4).map_err(|e| self.err(e))?,
                })
            })
            .collect()
    }

    fn record_issue(&mut self, issue: &CredentialIssue) -> Result<()> {
        self.execute(
            "INSERT INTO credential_issues (at, connection_id, connection_name, job_name, \
             session_name, expiration) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &issue.at,
                &issue.connection_id,
                &issue.connection,
                &issue.job,
                &issue.session_name,
                &issue.expiration,
            ],
        )
        .map(drop)
    }

    fn issues(&mut self, connection_id: Option<&str>) -> Result<Vec<CredentialIssue>> {
        let rows = self.query(
            "SELECT at, role, connection_id, connection_name, job_name, session_name, expiration \
             FROM credential_issues WHERE ($1::text IS NULL OR connection_id = $1) ORDER BY seq",
            &[&connection_id],
        )?;
        rows.iter()
            .map(|r| {
                Ok(CredentialIssue {
                    at: r.try_get(0).map_err(|e| self.err(e))?,
                    role: r.try_get(1).map_err(|e| self.err(e))?,
                    connection_id: r.try_get(2).map_err(|e| self.err(e))?,
                    connection: r.try_get(3).map_err(|e| self.err(e))?,
                    job: r.try_get(4).map_err(|e| self.err(e))?,
                    session_name: r.try_get(5).map_err(|e| self.err(e))?,
                    expiration: r.try_get(6).map_err(|e| self.err(e))?,
                })
            })
            .collect()
    }

    fn record_job_validation(&mut self, id: &str, at: OffsetDateTime) -> Result<()> {
        self.execute(
            "UPDATE jobs SET validated_at = $2 WHERE id = $1",
            &[&id, &rfc3339(at)],
        )
        .map(drop)
    }
}

fn privilege_name(privilege: Privilege) -> &'static str {
    match privilege {
        Privilege::Admin => "admin",
        Privilege::Usage => "usage",
    }
}

fn access_of(role: &str, admin: bool, member: bool) -> Access {
    Access {
        role: role.to_string(),
        standing: if admin {
            Standing::Admin
        } else if member {
            Standing::Member
        } else {
            Standing::Outsider
        },
        team: true,
    }
}

/// What the current role may do.
fn read_access(client: &mut Client, place: &Path) -> Result<Access> {
    let row = client
        .query_one(ACCESS, &[])
        .map_err(|e| pg_error(place, &e))?;
    let get = |i| -> Result<bool> { row.try_get(i).map_err(|e| pg_error(place, &e)) };
    let role: String = row.try_get(0).map_err(|e| pg_error(place, &e))?;
    Ok(access_of(&role, get(1)?, get(2)?))
}

/// The role owning the `connsql` schema, and whether the current role acts as it.
fn schema_owner(client: &mut Client, place: &Path) -> Result<(String, bool)> {
    let row = client
        .query_one(
            "SELECT pg_get_userbyid(nspowner)::text, pg_has_role(current_user, nspowner, 'MEMBER') \
             FROM pg_namespace WHERE nspname = 'connsql'",
            &[],
        )
        .map_err(|e| pg_error(place, &e))?;
    Ok((
        row.try_get(0).map_err(|e| pg_error(place, &e))?,
        row.try_get(1).map_err(|e| pg_error(place, &e))?,
    ))
}

/// TLS with the system's roots, for `sslmode=prefer` (the default) and `require`.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| CatalogError::Io {
        path: PathBuf::from("TLS"),
        message: e.to_string(),
    })?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The schema version, or `None` when the database has no connsql schema yet.
/// The schema version of the database's `connsql` schema, `None` when it has none. A schema
/// that is not connsql's (another program's `meta`), or whose version row is missing, is
/// refused as SQLite refuses another program's file: never read as "no catalog" and written.
fn schema_version(client: &mut Client, place: &Path) -> Result<Option<i64>> {
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'connsql' AND tablename = 'meta')",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg_error(place, &e))?;
    if !exists {
        return Ok(None);
    }
    // A schema this role may not even look into (an older catalog, before its owner opened it
    // to let members in): not a member yet.
    let usable: bool = client
        .query_one("SELECT has_schema_privilege('connsql', 'USAGE')", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg_error(place, &e))?;
    if !usable {
        let role: String = client
            .query_one("SELECT current_user::text", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| pg_error(place, &e))?;
        return Err(CatalogError::NotAMember {
            path: place.to_path_buf(),
            role,
            owner: schema_owner(client, place)?.0,
        });
    }
    let rows = client
        .query(
            "SELECT key, value FROM meta WHERE key IN ('application', 'version')",
            &[],
        )
        .map_err(|e| pg_error(place, &e))?;
    let mut meta = HashMap::new();
    for row in &rows {
        let key: String = row.try_get(0).map_err(|e| pg_error(place, &e))?;
        let value: String = row.try_get(1).map_err(|e| pg_error(place, &e))?;
        meta.insert(key, value);
    }
    match meta.get("application").map(String::as_str) {
        Some("connsql") => {}
        Some(other) => {
            return Err(CatalogError::NotACatalog {
                path: place.to_path_buf(),
                reason: format!(
                    "its connsql schema belongs to another program (`{}`)",
                    crate::sql::redact::escape_controls(other)
                ),
            });
        }
        None => {
            return Err(CatalogError::NotACatalog {
                path: place.to_path_buf(),
                reason: "its connsql schema does not say it is connsql's (no meta.application)"
                    .into(),
            });
        }
    }
    let Some(value) = meta.get("version") else {
        return Err(CatalogError::Damaged {
            path: place.to_path_buf(),
            reason: "its meta table has no schema version".into(),
        });
    };
    value.parse().map(Some).map_err(|_| CatalogError::Damaged {
        path: place.to_path_buf(),
        reason: format!(
            "its schema version `{}` is not a number",
            crate::sql::redact::escape_controls(value)
        ),
    })
}

/// Makes the schema under an advisory lock, so racing processes make it once: at the
/// baseline version, then migrated forward like any older catalog, in one transaction.
fn create_schema(client: &mut Client, place: &Path) -> Result<()> {
    let mut tx = client.transaction().map_err(|e| pg_error(place, &e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::CREATE_LOCK])
        .map_err(|e| pg_error(place, &e))?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'connsql' AND tablename = 'meta')",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| pg_error(place, &e))?;
    if !exists {
        tx.batch_execute(schema::CREATE)
            .map_err(|e| pg_error(place, &e))?;
        tx.execute(
            "INSERT INTO connsql.meta (key, value) VALUES ('application', 'connsql'), ('version', $1)",
            &[&schema::BASELINE.to_string()],
        )
        .map_err(|e| pg_error(place, &e))?;
        tx.execute(
            "INSERT INTO connsql.settings (key, value) VALUES ('catalog_id', $1), ('external_id', $2)",
            &[&random_hex(16), &format!("connsql-{}", random_hex(16))],
        )
        .map_err(|e| pg_error(place, &e))?;
    }
    migrate_in(&mut tx, place)?;
    tx.commit().map_err(|e| pg_error(place, &e))
}

/// Brings an older schema forward, under the same lock as creation: a racing process that
/// migrated it meanwhile leaves nothing to do.
fn migrate(client: &mut Client, place: &Path) -> Result<()> {
    let mut tx = client.transaction().map_err(|e| pg_error(place, &e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::CREATE_LOCK])
        .map_err(|e| pg_error(place, &e))?;
    migrate_in(&mut tx, place)?;
    tx.commit().map_err(|e| pg_error(place, &e))
}

/// Runs the migrations from the stored version to the current one, inside `tx`.
fn migrate_in(tx: &mut postgres::Transaction<'_>, place: &Path) -> Result<()> {
    let version: i64 = tx
        .query_one("SELECT value FROM connsql.meta WHERE key = 'version'", &[])
        .and_then(|r| r.try_get::<_, String>(0))
        .map_err(|e| pg_error(place, &e))?
        .parse()
        .map_err(|_| CatalogError::Damaged {
            path: place.to_path_buf(),
            reason: "its schema version is not a number".into(),
        })?;
    let from = usize::try_from(version - schema::BASELINE).unwrap_or(0);
    for (i, step) in schema::MIGRATIONS.iter().enumerate().skip(from) {
        tx.batch_execute(step).map_err(|e| pg_error(place, &e))?;
        let next = schema::BASELINE + i as i64 + 1;
        tx.execute(
            "UPDATE connsql.meta SET value = $1 WHERE key = 'version'",
            &[&next.to_string()],
        )
        .map_err(|e| pg_error(place, &e))?;
    }
    Ok(())
}

fn load_settings(client: &mut Client, place: &Path) -> Result<CatalogSettings> {
    super::settings_from(place, |key| {
        client
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| pg_error(place, &e))
    })
}

/// A PostgreSQL failure as a catalog error of the right kind; never the password.
/// Connects, bounding the whole handshake (TCP, TLS, startup, authentication) by `timeout`:
/// the client's own connect timeout covers only the TCP connect, so a server that accepts
/// and never answers would hang it. The abandoned attempt's thread ends with the process.
fn connect_within(
    config: postgres::Config,
    timeout: Duration,
    place: &Path,
) -> Result<postgres::Client> {
    let tls = tls()?;
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("catalog-connect".into())
        .spawn(move || {
            let _ = done.send(config.connect(tls));
        })
        .map_err(|e| CatalogError::Io {
            path: place.to_path_buf(),
            message: e.to_string(),
        })?;
    match outcome.recv_timeout(timeout) {
        Ok(connected) => connected.map_err(|e| pg_error(place, &e)),
        Err(_) => Err(CatalogError::Unreachable {
            path: place.to_path_buf(),
            message: format!(
                "the server accepted the connection but did not answer within {} s (--timeout)",
                timeout.as_secs_f64()
            ),
        }),
    }
}

fn pg_error(place: &Path, e: &postgres::Error) -> CatalogError {
    let path = place.to_path_buf();
    let message = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            if std::ptr::addr_eq(cause, e as &dyn std::error::Error) {
                e.to_string()
            } else {
                format!("{e}: {cause}")
            }
        }
    };
    match e.code() {
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            CatalogError::Auth { path, message }
        }
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => CatalogError::Busy {
            path,
            seconds: LOCK_TIMEOUT.as_secs(),
        },
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => CatalogError::Io {
            path,
            message: format!("{message}: create the database first (createdb), or name another"),
        },
        Some(c) if *c == SqlState::DISK_FULL => CatalogError::Full { path, message },
        // What the server's privileges and row-level security refused.
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => CatalogError::Denied { path, message },
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => CatalogError::ReadOnly {
            path,
            reason: message,
        },
        // Connection exceptions and operator intervention (a shutdown, a terminated backend):
        // the server is gone for this session.
        Some(c)
            if c.code().starts_with("08")
                || (c.code().starts_with("57") && *c != SqlState::QUERY_CANCELED) =>
        {
            CatalogError::Unreachable { path, message }
        }
        Some(_) => CatalogError::Engine { path, message },
        // The client reports "password missing" (a configuration error) when the server asks
        // for a password it was not given: a refused login, not a server out of reach.
        None if message.ends_with("password missing") => CatalogError::Auth {
            path,
            message: "the server asks for a password, and none was given".into(),
        },
        None => CatalogError::Unreachable { path, message },
    }
}
