//! The operations every catalog engine implements. Only engines know SQL and tables; nothing
//! here names a database crate's types, so the session cannot tell engines apart.

use time::OffsetDateTime;

use super::CatalogError;
use super::Result;
use super::codec::{CopyTable, TextRows};
use super::model::{
    Access, CatalogSettings, CredentialIssue, Dependents, GrantRecord, HistoryEntry, Location,
    Standing, StoredConnection, StoredJob, ValidationRecord, os_user,
};
use crate::sql::ConnectionSpec;
use crate::sql::ast::Privilege;
use crate::sql::job_spec::JobSpec;

/// Transaction control, as the catalog's unit of work needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Starts a write transaction (waiting for other writers).
    Begin,
    Commit,
    Rollback,
    /// A savepoint around one statement's writes.
    Savepoint,
    Release,
    RollbackToSavepoint,
}

/// One history record to append; `statement` is already redacted.
#[derive(Clone, Copy, Debug)]
pub struct NewHistory<'a> {
    pub at: OffsetDateTime,
    pub action: &'a str,
    /// `connection` or `job`.
    pub object: &'a str,
    pub connection_id: &'a str,
    pub connection_name: &'a str,
    pub statement: &'a str,
}

/// The names a window's CREATE statements will look up (see [`Engine::expect`]).
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub connections: Vec<String>,
    pub jobs: Vec<String>,
}

pub trait Engine {
    fn location(&self) -> &Location;

    fn settings(&self) -> &CatalogSettings;

    fn control(&mut self, op: Control) -> Result<()>;

    /// Whether the engine itself ended the open transaction after an error (SQLite may, on a
    /// full disk; a server may drop the connection): everything since `Begin` is gone.
    fn transaction_lost(&mut self) -> bool;

    /// The connection named exactly `name`, secrets included.
    fn connection(&mut self, name: &str) -> Result<Option<StoredConnection>>;

    fn exists(&mut self, name: &str) -> Result<bool>;

    /// The names the coming statements will ask [`Engine::exists`] and [`Engine::job_exists`]
    /// about: an engine may read them together, at the first question inside the write
    /// transaction.
    fn expect(&mut self, _expected: Expected) {}

    /// Sends what the engine kept back in the open transaction (rows it writes in batches),
    /// so that a row the storage refuses fails the statement that wrote it.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }

    /// All connections by name, optionally filtered by a SQL LIKE pattern (`%`, `_`, `\`
    /// escapes; ASCII letters match either case).
    fn connections(&mut self, like: Option<&str>) -> Result<Vec<StoredConnection>>;

    fn names(&mut self) -> Result<Vec<String>>;

    fn insert(&mut self, connection: &StoredConnection) -> Result<()>;

    /// Replaces a connection's options, keeping id and creation time; `validated_at` is kept
    /// only with `keep_validation` (its credentials are the ones proven).
    fn update(
        &mut self,
        id: &str,
        spec: &ConnectionSpec,
        keep_validation: bool,
        now: OffsetDateTime,
    ) -> Result<()>;

    fn rename(&mut self, id: &str, new_name: &str, now: OffsetDateTime) -> Result<()>;

    fn delete(&mut self, id: &str) -> Result<()>;

    fn record_history(&mut self, entry: NewHistory<'_>) -> Result<()>;

    /// The history, oldest first.
    fn history(&mut self) -> Result<Vec<HistoryEntry>>;

    /// Stores a successful validation and stamps the connection's `validated_at`.
    fn record_validation(&mut self, id: &str, record: &ValidationRecord) -> Result<()>;

    /// The job named exactly `name`, with its connection's current name.
    fn job(&mut self, name: &str) -> Result<Option<StoredJob>>;

    fn job_exists(&mut self, name: &str) -> Result<bool>;

    /// Jobs by name, filtered by a LIKE pattern and by connection.
    fn jobs(&mut self, like: Option<&str>, connection_id: Option<&str>) -> Result<Vec<StoredJob>>;

    fn job_names(&mut self) -> Result<Vec<String>>;

    /// Inserts a job; `definition` is its canonical CREATE statement.
    fn insert_job(&mut self, job: &StoredJob, definition: &str) -> Result<()>;

    /// Replaces a job's definition and connection, keeping id and creation time.
    fn update_job(
        &mut self,
        id: &str,
        connection_id: &str,
        spec: &JobSpec,
        definition: &str,
        now: OffsetDateTime,
    ) -> Result<()>;

    fn delete_job(&mut self, id: &str) -> Result<()>;

    /// The jobs that use a connection (only those that write to it, with `writers`), the first
    /// `limit` names by name, and how many in all; read through an index, not a scan.
    fn dependents(
        &mut self,
        connection_id: &str,
        writers: bool,
        limit: usize,
    ) -> Result<Dependents>;

    /// Deletes every job of a connection; their ids and names, by name.
    fn delete_jobs_of(&mut self, connection_id: &str) -> Result<Vec<(String, String)>>;

    fn record_job_validation(&mut self, id: &str, at: OffsetDateTime) -> Result<()>;

    /// Every row of one table, as text, in order: what `catalog copy` reads.
    fn export_rows(&mut self, table: &CopyTable) -> Result<TextRows>;

    /// Appends rows exported from another catalog, inside the open transaction.
    fn import_rows(&mut self, table: &CopyTable, rows: &TextRows) -> Result<()>;

    /// Empties every table, settings and the append-only history included, inside the open
    /// transaction: `catalog copy --replace`.
    fn clear(&mut self) -> Result<()>;

    /// Who runs connsql here and what they may do. A file's one user administers it.
    fn access(&mut self) -> Result<Access> {
        Ok(Access {
            role: os_user().to_string(),
            standing: Standing::Admin,
            team: false,
        })
    }

    /// Whether the role running connsql may use the connection: ADMIN, or USAGE on the
    /// catalog and on the connection.
    fn may_use(&mut self, _connection_id: &str) -> Result<bool> {
        Ok(true)
    }

    /// The roles of the catalog's server that a grant may name (none for a file).
    fn roles(&mut self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    /// Grants `privilege` (on the connection, or the catalog) to `role`; false when it held.
    fn grant(
        &mut self,
        _privilege: Privilege,
        _connection_id: Option<&str>,
        _role: &str,
        _at: OffsetDateTime,
    ) -> Result<bool> {
        Err(CatalogError::Unsupported(
            "grants (they need a team catalog)",
        ))
    }

    /// Revokes a grant; false when there was none.
    fn revoke(
        &mut self,
        _privilege: Privilege,
        _connection_id: Option<&str>,
        _role: &str,
    ) -> Result<bool> {
        Err(CatalogError::Unsupported(
            "grants (they need a team catalog)",
        ))
    }

    /// Every grant, by role, privilege and connection.
    fn grants(&mut self) -> Result<Vec<GrantRecord>> {
        Ok(Vec::new())
    }

    /// Appends an issue of temporary credentials to the audit (the role is the server's).
    fn record_issue(&mut self, _issue: &CredentialIssue) -> Result<()> {
        Ok(())
    }

    /// The audit of credential issues, oldest first, of one connection or all.
    fn issues(&mut self, _connection_id: Option<&str>) -> Result<Vec<CredentialIssue>> {
        Ok(Vec::new())
    }
}
