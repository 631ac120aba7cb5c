//! The catalog: connections, jobs, their history and validation outcomes, and the catalog's
//! own settings, behind one interface (`Catalog`) with an engine each for a SQLite file
//! (`sqlite`, the default) and a PostgreSQL database (`postgres`, for a team). Only the
//! engines know SQL and tables.
//!
//! `Catalog` adds what every engine needs around a statement's writes: a transaction, a
//! savepoint per statement (or none, with the transaction poisoned by a failure half-way),
//! and noticing when the engine dropped the transaction on its own.

pub mod codec;
mod copy;
mod engine;
mod lookup;
mod model;
pub mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

pub use copy::{Copied, copy};
pub use engine::{Control, Engine, Expected, NewHistory};
pub use model::{
    Access, CatalogSettings, CredentialIssue, Dependents, GrantRecord, HistoryEntry, Location,
    Standing, StoredConnection, StoredJob, ValidationRecord, os_user, random_hex, time_ordered_id,
};
pub use postgres::PostgresEngine;
pub use postgres::target::{is_postgres, shown as shown_target};
pub use sqlite::{CURRENT_VERSION, SqliteEngine};

use crate::sql::ConnectionSpec;
use crate::sql::diagnostic::DiagnosticKind;
use crate::sql::job_spec::JobSpec;
use crate::sql::values::ExternalId;

#[derive(Clone, Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("there is no catalog at {path}{}", default_note(.default))]
    Missing {
        path: PathBuf,
        /// The default catalog, when `path` is not it: the user may have meant that one.
        default: Option<PathBuf>,
    },
    #[error("cannot open catalog {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path} is not a connsql catalog ({reason}); it was left untouched")]
    NotACatalog { path: PathBuf, reason: String },
    #[error(
        "catalog {path} has schema version {found}, newer than this connsql supports ({supported}); upgrade connsql"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("catalog {path} cannot be written: {reason}")]
    ReadOnly { path: PathBuf, reason: String },
    #[error(
        "catalog {path} is readable by other users (mode {mode:o}) and owned by someone else; {help}"
    )]
    LoosePermissions {
        path: PathBuf,
        mode: u32,
        help: &'static str,
    },
    #[error("catalog {path}: the disk is full ({message})")]
    Full { path: PathBuf, message: String },
    #[error("catalog {path} is busy: another process held it for longer than {seconds} s")]
    Busy { path: PathBuf, seconds: u64 },
    #[error("catalog {path}: {message}")]
    Engine { path: PathBuf, message: String },
    #[error(
        "a statement failed half-way through its writes; the open transaction must be rolled back"
    )]
    Poisoned,
    #[error("this catalog engine does not support {0}")]
    Unsupported(&'static str),
    #[error("catalog {path} is not empty ({rows} connections, jobs and history entries)")]
    NotEmpty { path: PathBuf, rows: usize },
    #[error("catalog {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("cannot reach the catalog server {path}: {message}")]
    Unreachable { path: PathBuf, message: String },
    #[error("the catalog server {path} refused the login: {message}")]
    Auth { path: PathBuf, message: String },
    #[error("role {role} is not a member of the catalog {path}")]
    NotAMember {
        path: PathBuf,
        role: String,
        /// The role that owns the catalog: its first administrator.
        owner: String,
    },
    #[error(
        "catalog {path} has schema version {found}; this connsql needs {wanted}, and only the catalog's owner ({owner}) can migrate it"
    )]
    NeedsOwner {
        path: PathBuf,
        found: i64,
        wanted: i64,
        owner: String,
    },
    #[error("the catalog server {path} refused: {message}")]
    Denied { path: PathBuf, message: String },
}

/// The catalog's settings, from the rows `get` reads by key (`None` for a missing row): the
/// same checks on every engine, and a missing or damaged row named.
pub(crate) fn settings_from(
    path: &Path,
    mut get: impl FnMut(&str) -> Result<Option<String>>,
) -> Result<CatalogSettings> {
    let mut need = |key: &str| -> Result<String> {
        get(key)?.ok_or_else(|| CatalogError::Damaged {
            path: path.to_path_buf(),
            reason: format!("its settings have no `{key}`"),
        })
    };
    let id = need("catalog_id")?;
    let external_id =
        ExternalId::parse(&need("external_id")?).map_err(|e| CatalogError::Damaged {
            path: path.to_path_buf(),
            reason: format!("its generated external ID is damaged: {}", e.message),
        })?;
    Ok(CatalogSettings { id, external_id })
}

fn default_note(default: &Option<PathBuf>) -> String {
    match default {
        Some(d) => format!(" (the default catalog is {})", d.display()),
        None => String::new(),
    }
}

impl CatalogError {
    /// The stable diagnostic code of the failure.
    pub fn kind(&self) -> DiagnosticKind {
        match self {
            CatalogError::Missing { .. } => DiagnosticKind::CatalogMissing,
            CatalogError::Full { .. } => DiagnosticKind::CatalogFull,
            CatalogError::Busy { .. } => DiagnosticKind::CatalogBusy,
            CatalogError::ReadOnly { .. } => DiagnosticKind::CatalogReadOnly,
            CatalogError::NotAMember { .. } => DiagnosticKind::NotAMember,
            CatalogError::Unsupported(_) => DiagnosticKind::TeamCatalogOnly,
            _ => DiagnosticKind::Catalog,
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            CatalogError::Missing { .. } => Some(
                "check --catalog / CONNSQL_CATALOG; a statement that changes something \
                 (CREATE S3 CONNECTION …) creates a new catalog"
                    .into(),
            ),
            CatalogError::Full { .. } => {
                Some("free disk space, then run the statements that were not applied".into())
            }
            CatalogError::Busy { .. } => Some(
                "another connsql (or another client of the catalog: sqlite3, psql) holds a write transaction open; run again when it is done"
                    .into(),
            ),
            CatalogError::NotEmpty { .. } => Some(
                "copy into a new catalog, or give --replace to empty this one first".into(),
            ),
            CatalogError::Unreachable { .. } => Some(
                "check that the server runs and the URL's host and port; --timeout bounds the wait".into(),
            ),
            CatalogError::Auth { .. } => Some(
                "check the user, and the password (PGPASSWORD or ~/.pgpass; never in a shared script)".into(),
            ),
            CatalogError::Damaged { .. } => Some(
                "restore the catalog from a backup; connsql does not repair it, so as not to invent a value".into(),
            ),
            CatalogError::NotAMember { role, owner, .. } => Some(format!(
                "ask an administrator of the catalog (its owner is {owner}) to run: GRANT USAGE ON CATALOG TO {};",
                crate::sql::Ident::new(role.as_str())
            )),
            CatalogError::NeedsOwner { owner, .. } => Some(format!(
                "ask {owner} to run connsql against the catalog once (any statement); it migrates then, and everyone can go on"
            )),
            CatalogError::Denied { .. } => Some(
                "the catalog's server decides who may do what: SHOW GRANTS lists the grants, and an administrator grants more".into(),
            ),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, CatalogError>;

static NOTICES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Something a person should know that is not an error (a password file ignored), kept for
/// the driver to print: the catalog prints nothing itself.
pub(crate) fn notice(text: String) {
    if let Ok(mut notices) = NOTICES.lock()
        && !notices.contains(&text)
    {
        notices.push(text);
    }
}

/// The notices so far, once each.
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

static CONNECT_TIMEOUT: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();

/// How long connecting to a catalog server may take (the command line's `--timeout`); set
/// once, before the first catalog is opened. Five seconds otherwise.
pub fn set_connect_timeout(timeout: std::time::Duration) {
    let _ = CONNECT_TIMEOUT.set(timeout);
}

fn connect_timeout() -> std::time::Duration {
    CONNECT_TIMEOUT
        .get()
        .copied()
        .unwrap_or(std::time::Duration::from_secs(5))
}

/// An open catalog. Writes happen inside [`Catalog::begin`] … [`Catalog::commit`], which only
/// the session's unit of work calls.
pub struct Catalog {
    engine: Box<dyn Engine>,
    in_transaction: bool,
    /// Whether each [`Catalog::atomically`] runs in a savepoint of its own (see there).
    statement_savepoints: bool,
    /// Set when a write failed outside a savepoint: the transaction holds part of a statement.
    poisoned: bool,
    /// Set when the engine itself rolled the open transaction back after an error.
    lost: bool,
}

impl Catalog {
    /// Opens an existing catalog, migrating an older schema forward. A missing file is an
    /// error: readers never create a catalog.
    ///
    /// `path` is a SQLite file, or a `postgresql://` URL (whose `connsql` schema must exist).
    pub fn open(path: impl AsRef<Path>) -> Result<Catalog> {
        Self::open_engine(path.as_ref(), false)
    }

    /// Opens the catalog at `path`, creating it (a file of mode 0600 in a directory of 0700,
    /// or the `connsql` schema in a PostgreSQL database) when missing.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Catalog> {
        Self::open_engine(path.as_ref(), true)
    }

    fn open_engine(path: &Path, create: bool) -> Result<Catalog> {
        let engine: Box<dyn Engine> = if is_postgres(path) {
            Box::new(PostgresEngine::open(path, create, connect_timeout())?)
        } else {
            Box::new(SqliteEngine::open(path, create)?)
        };
        Ok(Catalog::new(engine))
    }

    /// A fresh catalog in memory, for a dry run against a catalog that does not exist yet.
    pub fn in_memory() -> Result<Catalog> {
        Ok(Catalog::new(Box::new(SqliteEngine::in_memory()?)))
    }

    pub fn new(engine: Box<dyn Engine>) -> Catalog {
        Catalog {
            engine,
            in_transaction: false,
            statement_savepoints: true,
            poisoned: false,
            lost: false,
        }
    }

    pub fn location(&self) -> &Location {
        self.engine.location()
    }

    pub fn settings(&self) -> &CatalogSettings {
        self.engine.settings()
    }

    /// Starts a write transaction if none is open (waiting for other writers).
    pub fn begin(&mut self) -> Result<()> {
        if !self.in_transaction {
            self.engine.control(Control::Begin)?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Makes everything since [`Catalog::begin`] durable. A poisoned transaction is never
    /// committed; a commit that fails leaves nothing applied and no transaction open.
    pub fn commit(&mut self) -> Result<()> {
        if self.poisoned {
            return Err(CatalogError::Poisoned);
        }
        self.notice_lost_transaction();
        if self.in_transaction {
            self.in_transaction = false;
            if let Err(e) = self.engine.control(Control::Commit) {
                let _ = self.engine.control(Control::Rollback);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Drops everything since [`Catalog::begin`].
    pub fn rollback(&mut self) -> Result<()> {
        self.poisoned = false;
        self.notice_lost_transaction();
        if self.in_transaction {
            self.in_transaction = false;
            self.engine.control(Control::Rollback)?;
        }
        Ok(())
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Whether the engine rolled the open transaction back on its own since the last call;
    /// the flag is cleared by asking.
    pub fn take_lost_transaction(&mut self) -> bool {
        self.notice_lost_transaction();
        std::mem::take(&mut self.lost)
    }

    fn notice_lost_transaction(&mut self) {
        if self.in_transaction && self.engine.transaction_lost() {
            self.in_transaction = false;
            self.poisoned = false;
            self.lost = true;
        }
    }

    /// Sends what the engine kept back (see [`Engine::flush`]); when the storage refuses it,
    /// the transaction is poisoned: it holds part of some statement's writes.
    pub fn flush(&mut self) -> Result<()> {
        let sent = self.engine.flush();
        self.poisoned |= sent.is_err();
        sent
    }

    /// Whether a write failed half-way outside a savepoint (see [`Catalog::atomically`]).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// With `false`, [`Catalog::atomically`] skips its savepoint. A savepoint copies every page
    /// a statement touches into a journal, which was a third of a large batch's time; without
    /// it, a failure half-way poisons the transaction, and the caller must roll it back and run
    /// its statements again with savepoints (the session's unit of work does).
    pub fn set_statement_savepoints(&mut self, on: bool) {
        self.statement_savepoints = on;
    }

    /// Runs `f` so that it applies whole or not at all, inside the open transaction.
    pub fn atomically<T, E: From<CatalogError>>(
        &mut self,
        f: impl FnOnce(&mut Catalog) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.begin()?;
        if !self.statement_savepoints {
            let result = f(self);
            self.poisoned |= result.is_err();
            return result;
        }
        self.engine.control(Control::Savepoint)?;
        // What the engine kept back goes before the savepoint ends: a row the storage refuses
        // fails this statement, not a later one.
        match f(self).and_then(|v| self.engine.flush().map(|()| v).map_err(E::from)) {
            Ok(v) => {
                self.engine.control(Control::Release)?;
                Ok(v)
            }
            Err(e) => {
                self.notice_lost_transaction();
                if self.in_transaction {
                    self.engine.control(Control::RollbackToSavepoint)?;
                    self.engine.control(Control::Release)?;
                }
                Err(e)
            }
        }
    }

    /// The connection named exactly `name`, secrets included.
    pub fn connection(&mut self, name: &str) -> Result<Option<StoredConnection>> {
        self.engine.connection(name)
    }

    /// The connection a job runner names, folded the way SQL folds it: a bare name such as
    /// `LAKE` finds `lake`, a quoted `"Lake"` is exact, and anything else is taken as written.
    pub fn lookup(&mut self, name: &str) -> Result<Option<StoredConnection>> {
        self.engine.connection(&fold_name(name))
    }

    pub fn exists(&mut self, name: &str) -> Result<bool> {
        self.engine.exists(name)
    }

    /// Tells the engine which names the coming statements' [`Catalog::exists`] and
    /// [`Catalog::job_exists`] will ask about (see [`Engine::expect`]).
    pub fn expect(&mut self, expected: Expected) {
        self.engine.expect(expected);
    }

    pub fn connections(&mut self, like: Option<&str>) -> Result<Vec<StoredConnection>> {
        self.engine.connections(like)
    }

    /// Connection names, for completion and "did you mean".
    pub fn names(&mut self) -> Result<Vec<String>> {
        self.engine.names()
    }

    /// Inserts a new connection; the caller has checked that the name is free.
    pub fn insert(
        &mut self,
        name: &str,
        spec: &ConnectionSpec,
        now: OffsetDateTime,
    ) -> Result<StoredConnection> {
        let conn = StoredConnection {
            id: time_ordered_id(now),
            name: name.to_string(),
            spec: spec.clone(),
            created_at: now,
            updated_at: now,
            validated_at: None,
            validation: None,
        };
        self.engine.insert(&conn)?;
        Ok(conn)
    }

    /// Replaces `current`'s options with `spec`'s; its validation stands while its credentials
    /// are the ones proven.
    pub fn update(
        &mut self,
        current: &StoredConnection,
        spec: &ConnectionSpec,
        now: OffsetDateTime,
    ) -> Result<()> {
        let keep_validation = current.spec.credentials == spec.credentials;
        self.engine.update(&current.id, spec, keep_validation, now)
    }

    pub fn rename(&mut self, id: &str, new_name: &str, now: OffsetDateTime) -> Result<()> {
        self.engine.rename(id, new_name, now)
    }

    pub fn delete(&mut self, id: &str) -> Result<()> {
        self.engine.delete(id)
    }

    pub fn record_history(&mut self, entry: NewHistory<'_>) -> Result<()> {
        self.engine.record_history(entry)
    }

    pub fn history(&mut self) -> Result<Vec<HistoryEntry>> {
        self.engine.history()
    }

    pub fn record_validation(&mut self, id: &str, record: &ValidationRecord) -> Result<()> {
        self.engine.record_validation(id, record)
    }

    /// The job named exactly `name`, with its connection's current name.
    pub fn job(&mut self, name: &str) -> Result<Option<StoredJob>> {
        self.engine.job(name)
    }

    /// A job and the connection it uses, as a job runner needs them: the name folds as SQL
    /// folds it (see [`Catalog::lookup`]), and the connection comes with its secrets.
    pub fn lookup_job(&mut self, name: &str) -> Result<Option<(StoredJob, StoredConnection)>> {
        let Some(job) = self.engine.job(&fold_name(name))? else {
            return Ok(None);
        };
        let connection = self.engine.connection(&job.connection_name)?;
        Ok(connection.map(|c| (job, c)))
    }

    pub fn job_exists(&mut self, name: &str) -> Result<bool> {
        self.engine.job_exists(name)
    }

    pub fn jobs(
        &mut self,
        like: Option<&str>,
        connection_id: Option<&str>,
    ) -> Result<Vec<StoredJob>> {
        self.engine.jobs(like, connection_id)
    }

    pub fn job_names(&mut self) -> Result<Vec<String>> {
        self.engine.job_names()
    }

    /// Inserts a new job; the caller has checked the name is free and the connection exists.
    pub fn insert_job(
        &mut self,
        name: &str,
        connection: &StoredConnection,
        spec: &JobSpec,
        owner: &str,
        now: OffsetDateTime,
    ) -> Result<StoredJob> {
        let job = StoredJob {
            id: time_ordered_id(now),
            name: name.to_string(),
            connection_id: connection.id.clone(),
            connection_name: connection.name.clone(),
            spec: spec.clone(),
            owner: owner.to_string(),
            created_at: now,
            updated_at: now,
            validated_at: None,
        };
        let definition = format!(
            "{:#};",
            crate::sql::ast::CreateJob::of_spec(spec, name, &connection.name).display()
        );
        self.engine.insert_job(&job, &definition)?;
        Ok(job)
    }

    pub fn update_job(
        &mut self,
        job: &StoredJob,
        connection: &StoredConnection,
        spec: &JobSpec,
        now: OffsetDateTime,
    ) -> Result<()> {
        let definition = format!(
            "{:#};",
            crate::sql::ast::CreateJob::of_spec(spec, &job.name, &connection.name).display()
        );
        self.engine
            .update_job(&job.id, &connection.id, spec, &definition, now)
    }

    pub fn delete_job(&mut self, id: &str) -> Result<()> {
        self.engine.delete_job(id)
    }

    pub fn dependents(
        &mut self,
        connection_id: &str,
        writers: bool,
        limit: usize,
    ) -> Result<Dependents> {
        self.engine.dependents(connection_id, writers, limit)
    }

    pub fn delete_jobs_of(&mut self, connection_id: &str) -> Result<Vec<(String, String)>> {
        self.engine.delete_jobs_of(connection_id)
    }

    /// Who runs connsql here, and what they may do.
    pub fn access(&mut self) -> Result<Access> {
        self.engine.access()
    }

    /// Whether the role running connsql may use the connection.
    pub fn may_use(&mut self, connection_id: &str) -> Result<bool> {
        self.engine.may_use(connection_id)
    }

    /// The roles a grant may name.
    pub fn roles(&mut self) -> Result<Vec<String>> {
        self.engine.roles()
    }

    pub fn grant(
        &mut self,
        privilege: crate::sql::ast::Privilege,
        connection_id: Option<&str>,
        role: &str,
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.engine.grant(privilege, connection_id, role, at)
    }

    pub fn revoke(
        &mut self,
        privilege: crate::sql::ast::Privilege,
        connection_id: Option<&str>,
        role: &str,
    ) -> Result<bool> {
        self.engine.revoke(privilege, connection_id, role)
    }

    pub fn grants(&mut self) -> Result<Vec<GrantRecord>> {
        self.engine.grants()
    }

    pub fn record_issue(&mut self, issue: &CredentialIssue) -> Result<()> {
        self.engine.record_issue(issue)
    }

    pub fn issues(&mut self, connection_id: Option<&str>) -> Result<Vec<CredentialIssue>> {
        self.engine.issues(connection_id)
    }

    pub fn record_job_validation(&mut self, id: &str, at: OffsetDateTime) -> Result<()> {
        self.engine.record_job_validation(id, at)
    }
}

/// The version of the SQLite library the catalog runs on.
pub fn sqlite_version() -> &'static str {
    sqlite::version()
}

/// A name as SQL reads it: bare names fold to lower case, `"quoted"` names are exact.
pub fn fold_name(name: &str) -> String {
    let bare = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if bare {
        return name.to_ascii_lowercase();
    }
    if name.len() >= 2 && name.starts_with('"') && name.ends_with('"') {
        return name[1..name.len() - 1].replace("\"\"", "\"");
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sql::ConnectionSpec;

    fn spec() -> ConnectionSpec {
        ConnectionSpec::default()
    }

    #[test]
    fn a_failed_statement_rolls_back_to_its_savepoint() {
        let mut c = Catalog::in_memory().expect("catalog");
        c.atomically(|c| c.insert("a", &spec(), crate::clock::now()).map(drop))
            .expect("a");
        let failed: Result<()> = c.atomically(|c| {
            c.insert("b", &spec(), crate::clock::now())?;
            Err(CatalogError::Unsupported("a test failure"))
        });
        assert!(failed.is_err());
        c.commit().expect("commit");
        assert_eq!(c.names().expect("names"), ["a"]);
    }

    #[test]
    fn without_savepoints_a_failure_poisons_the_transaction() {
        let mut c = Catalog::in_memory().expect("catalog");
        c.set_statement_savepoints(false);
        let failed: Result<()> = c.atomically(|c| {
            c.insert("b", &spec(), crate::clock::now())?;
            Err(CatalogError::Unsupported("a test failure"))
        });
        assert!(failed.is_err() && c.is_poisoned());
        assert!(matches!(c.commit(), Err(CatalogError::Poisoned)));
        c.rollback().expect("rollback");
        assert!(!c.is_poisoned() && !c.in_transaction());
        assert!(c.names().expect("names").is_empty());
    }

    #[test]
    fn look_up_folds_names() {
        let mut c = Catalog::in_memory().expect("catalog");
        c.atomically(|c| c.insert("noext", &spec(), crate::clock::now()).map(drop))
            .expect("insert");
        c.commit().expect("commit");
        assert!(c.lookup("NOEXT").expect("look-up").is_some());
        assert!(c.lookup("\"NOEXT\"").expect("look-up").is_none());
    }

    #[test]
    fn names_fold_like_sql() {
        assert_eq!(fold_name("NOEXT"), "noext");
        assert_eq!(fold_name("\"Quoted\""), "Quoted");
        assert_eq!(fold_name("\"a\"\"b\""), "a\"b");
        assert_eq!(fold_name("My Conn"), "My Conn");
    }

    fn job_spec(sql: &str) -> JobSpec {
        let (stmts, diags) = crate::sql::parse(sql);
        assert!(diags.is_empty(), "{diags:?}");
        match crate::sql::check(&stmts[0]).expect("checks").0 {
            crate::sql::Plan::CreateJob { spec, .. } => spec,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dependents_name_the_first_jobs_by_name_across_readers_and_writers() {
        let mut c = Catalog::in_memory().expect("catalog");
        let now = crate::clock::now();
        let conn = c.insert("lake", &spec(), now).expect("insert");
        let copy = job_spec("CREATE JOB x AS COPY FROM S3 lake LOCATION = 's3://b/i/' INTO db.t");
        let insert = job_spec(
            "CREATE JOB x AS INSERT INTO S3 lake LOCATION = 's3://b/o/' SELECT * FROM db.t",
        );
        // Names interleave the two kinds, so the first three come from both.
        for (name, spec) in [
            ("d", &copy),
            ("a", &insert),
            ("c", &copy),
            ("b", &insert),
            ("e", &insert),
        ] {
            c.insert_job(name, &conn, spec, "someone", now)
                .expect("job");
        }
        let all = c.dependents(&conn.id, false, 3).expect("dependents");
        assert_eq!(all.names, ["a", "b", "c"]);
        assert_eq!(all.count, 5);
        let writers = c.dependents(&conn.id, true, 2).expect("writers");
        assert_eq!(writers.names, ["a", "b"]);
        assert_eq!(writers.count, 3);
    }
}
