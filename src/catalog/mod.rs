//! The catalog: a SQLite file holding connections, their history and validation outcomes, and
//! the catalog's own settings. The only code that knows the schema.

mod migrations;
mod rows;

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use time::OffsetDateTime;

use crate::sql::ConnectionSpec;
use crate::sql::values::ExternalId;

pub use migrations::CURRENT_VERSION;
pub use rows::{StoredConnection, ValidationRecord, ts as format_time};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot open catalog {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
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
    #[error("catalog {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "a statement failed half-way through its writes; the open transaction must be rolled back"
    )]
    Poisoned,
}

pub type Result<T> = std::result::Result<T, CatalogError>;

/// One change, as the append-only history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// RFC 3339 UTC.
    pub at: String,
    pub os_user: String,
    /// `create`, `replace`, `alter`, `rename` or `drop`.
    pub action: String,
    pub connection_name: String,
    /// The statement, secrets masked.
    pub statement: String,
}

/// Settings created with the catalog and never changed.
#[derive(Clone, Debug)]
pub struct CatalogSettings {
    pub id: String,
    /// Used by role connections created without EXTERNAL_ID, and by `SHOW TRUST POLICY`.
    pub external_id: ExternalId,
}

/// An open catalog. Writes happen inside [`Catalog::begin`] … [`Catalog::commit`].
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
    settings: CatalogSettings,
    in_transaction: bool,
    /// Whether each [`Catalog::atomically`] runs in a savepoint of its own (see there).
    statement_savepoints: bool,
    /// Set when a write failed outside a savepoint: the transaction holds part of a statement.
    poisoned: bool,
    /// Set when SQLite itself rolled the open transaction back after an error (it may, on
    /// disk-full or I/O errors): everything since `begin` is gone.
    lost: bool,
}

impl Catalog {
    /// Opens the catalog at `path`, creating it (mode 0600, directory 0700) when missing and
    /// migrating an older schema forward. A file that is not a connsql catalog is refused.
    pub fn open(path: impl AsRef<Path>) -> Result<Catalog> {
        let path = path.as_ref().to_path_buf();
        let io_err = |source| CatalogError::Io {
            path: path.clone(),
            source,
        };
        let exists = match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(CatalogError::NotACatalog {
                    path,
                    reason: "it is a directory".into(),
                });
            }
            Ok(meta) => meta.len() > 0,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_err(e)),
        };
        if exists {
            check_sqlite_header(&path)?;
        } else {
            create_private_file(&path).map_err(io_err)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let sqlite = |source| CatalogError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open_with_flags(&path, flags).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        // Stable plans: without this, SQLite built with STAT4 re-prepares a cached look-up every
        // time a new name is bound, which dominated a large batch.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(sqlite)?;
        prepare_schema(&conn, &path)?;
        let settings = load_settings(&conn, &path)?;
        Ok(Catalog {
            conn,
            path,
            settings,
            in_transaction: false,
            statement_savepoints: true,
            poisoned: false,
            lost: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn settings(&self) -> &CatalogSettings {
        &self.settings
    }

    fn err(&self, source: rusqlite::Error) -> CatalogError {
        CatalogError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Starts a write transaction if none is open (waiting for other writers).
    pub fn begin(&mut self) -> Result<()> {
        if !self.in_transaction {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.err(e))?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Makes everything since [`Catalog::begin`] durable. A poisoned transaction is never
    /// committed.
    pub fn commit(&mut self) -> Result<()> {
        if self.poisoned {
            return Err(CatalogError::Poisoned);
        }
        self.notice_lost_transaction();
        if self.in_transaction {
            if let Err(e) = self.run_cached("COMMIT") {
                // A commit that fails leaves nothing applied: end the transaction so the next
                // statement starts clean.
                let _ = self.conn.execute_batch("ROLLBACK");
                self.in_transaction = false;
                return Err(e);
            }
            self.in_transaction = false;
        }
        Ok(())
    }

    /// Drops everything since [`Catalog::begin`].
    pub fn rollback(&mut self) -> Result<()> {
        self.poisoned = false;
        self.notice_lost_transaction();
        if self.in_transaction {
            self.conn
                .execute_batch("ROLLBACK")
                .map_err(|e| self.err(e))?;
            self.in_transaction = false;
        }
        Ok(())
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Whether SQLite rolled the open transaction back on its own since the last call; the
    /// flag is cleared by asking.
    pub fn take_lost_transaction(&mut self) -> bool {
        self.notice_lost_transaction();
        std::mem::take(&mut self.lost)
    }

    fn notice_lost_transaction(&mut self) {
        if self.in_transaction && self.conn.is_autocommit() {
            self.in_transaction = false;
            self.poisoned = false;
            self.lost = true;
        }
    }

    /// Whether a write failed half-way outside a savepoint (see [`Catalog::atomically`]).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// With `false`, [`Catalog::atomically`] skips its savepoint. A savepoint copies every page
    /// a statement touches into a journal, which was a third of a large batch's time; without
    /// it, a failure half-way poisons the transaction, and the caller must roll it back and run
    /// its statements again with savepoints (batch mode does).
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
        self.run_cached("SAVEPOINT statement")?;
        match f(self) {
            Ok(v) => {
                self.run_cached("RELEASE statement")?;
                Ok(v)
            }
            Err(e) => {
                self.notice_lost_transaction();
                if self.in_transaction {
                    self.run_cached("ROLLBACK TO statement")?;
                    self.run_cached("RELEASE statement")?;
                }
                Err(e)
            }
        }
    }

    /// Runs a parameterless statement through the statement cache (it runs once per statement
    /// of a batch, where parsing it each time showed up).
    fn run_cached(&self, sql: &str) -> Result<()> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// The connection named exactly `name`, secrets included.
    pub fn connection(&self, name: &str) -> Result<Option<StoredConnection>> {
        let mut stmt = self
            .conn
            .prepare_cached(rows::SELECT_BY_NAME)
            .map_err(|e| self.err(e))?;
        stmt.query_row([name], rows::from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Limits the catalog file to `pages` pages, so that tests can make writes fail the way a
    /// full disk does.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: i64) -> Result<()> {
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(|e| self.err(e))
    }

    /// Page count of the catalog file.
    #[doc(hidden)]
    pub fn page_count(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Whether a connection named exactly `name` exists.
    pub fn exists(&self, name: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM connections WHERE name = ?1")
            .map_err(|e| self.err(e))?;
        stmt.exists([name]).map_err(|e| self.err(e))
    }

    /// All connections by name, optionally filtered by a SQL LIKE pattern (`%`, `_`, `\` escapes;
    /// ASCII letters match either case).
    pub fn connections(&self, like: Option<&str>) -> Result<Vec<StoredConnection>> {
        let mut stmt = self
            .conn
            .prepare_cached(rows::SELECT_LIKE)
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([like.unwrap_or("%")], rows::from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Connection names, for completion.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM connections ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
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
        rows::insert(&self.conn, &conn).map_err(|e| self.err(e))?;
        Ok(conn)
    }

    /// Replaces a connection's options, keeping its id and creation time.
    pub fn update(&mut self, id: &str, spec: &ConnectionSpec, now: OffsetDateTime) -> Result<()> {
        rows::update(&self.conn, id, spec, now).map_err(|e| self.err(e))
    }

    pub fn rename(&mut self, id: &str, new_name: &str, now: OffsetDateTime) -> Result<()> {
        self.conn
            .execute(
                "UPDATE connections SET name = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, new_name, rows::ts(now)],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    pub fn delete(&mut self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM connections WHERE id = ?1", [id])
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Appends to the history: `statement` must already be redacted.
    pub fn record_history(
        &mut self,
        action: &str,
        conn_id: &str,
        conn_name: &str,
        statement: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO history (at, os_user, action, connection_id, connection_name, statement) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(|e| self.err(e))?;
        stmt.execute(params![
            rows::ts(now),
            os_user(),
            action,
            conn_id,
            conn_name,
            statement
        ])
        .map(drop)
        .map_err(|e| self.err(e))
    }

    /// The history, oldest first.
    pub fn history(&self) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, os_user, action, connection_name, statement FROM history ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(HistoryEntry {
                    at: r.get(0)?,
                    os_user: r.get(1)?,
                    action: r.get(2)?,
                    connection_name: r.get(3)?,
                    statement: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Stores a successful validation and stamps the connection's `validated_at`.
    pub fn record_validation(&mut self, conn_id: &str, record: &ValidationRecord) -> Result<()> {
        rows::record_validation(&self.conn, conn_id, record).map_err(|e| self.err(e))
    }
}

fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> CatalogError + '_ {
    move |source| CatalogError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

fn prepare_schema(conn: &Connection, path: &Path) -> Result<()> {
    let err = sqlite_err(path);
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(&err)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(&err)?;
    if app_id != migrations::APPLICATION_ID {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(&err)?;
        if app_id != 0 || version != 0 || tables != 0 {
            return Err(CatalogError::NotACatalog {
                path: path.to_path_buf(),
                reason: "it is a SQLite database of another program".into(),
            });
        }
    }
    if version > CURRENT_VERSION {
        return Err(CatalogError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    // WAL lets readers run beside a writer; FULL sync makes a commit durable when it returns.
    // Each statement's savepoint journal stays in memory, and a 16 MiB page cache holds a
    // batch window's changes without spilling them to the log before the commit.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 10000;",
    )
    .map_err(&err)?;
    if version == CURRENT_VERSION {
        return Ok(());
    }
    // Another process may be migrating at the same moment: take the write lock, then look again.
    conn.execute_batch("BEGIN IMMEDIATE").map_err(&err)?;
    let result = migrate(conn).map_err(&err);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    conn.execute_batch(end).map_err(&err)?;
    result
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == 0 {
        conn.pragma_update(None, "application_id", migrations::APPLICATION_ID)?;
    }
    for (i, step) in migrations::MIGRATIONS
        .iter()
        .enumerate()
        .skip(version.max(0) as usize)
    {
        conn.execute_batch(step)?;
        conn.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    if version == 0 {
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('catalog_id', ?1), ('external_id', ?2)",
            params![random_hex(16), format!("connsql-{}", random_hex(16))],
        )?;
    }
    Ok(())
}

fn load_settings(conn: &Connection, path: &Path) -> Result<CatalogSettings> {
    let get = |key: &str| -> Result<String> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .map_err(sqlite_err(path))
    };
    let id = get("catalog_id")?;
    let external_id =
        ExternalId::parse(&get("external_id")?).map_err(|e| CatalogError::NotACatalog {
            path: path.to_path_buf(),
            reason: format!("its generated external ID is damaged: {}", e.message),
        })?;
    Ok(CatalogSettings { id, external_id })
}

/// The OS user recorded in the history, looked up once per process.
fn os_user() -> &'static str {
    static USER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    USER.get_or_init(|| {
        ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "unknown".to_string())
    })
}

/// A 128-bit id whose first 48 bits are the creation time in milliseconds (like UUIDv7):
/// ids sort by creation, and new ones land at the end of the id index instead of at random
/// places in it, which keeps large batches from touching a new index page per row.
fn time_ordered_id(now: OffsetDateTime) -> String {
    let millis = (now.unix_timestamp_nanos() / 1_000_000) as u64 & 0xffff_ffff_ffff;
    format!("{millis:012x}{}", random_hex(10))
}

/// `n` random bytes as lower-case hex. The OS generator is read 4 KiB at a time: a batch
/// makes an id per statement, and a system call each showed up.
pub fn random_hex(n: usize) -> String {
    thread_local! {
        static POOL: std::cell::RefCell<(Vec<u8>, usize)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
    }
    POOL.with_borrow_mut(|(pool, used)| {
        if *used + n > pool.len() {
            pool.resize(4096.max(n), 0);
            // The OS generator does not fail on supported platforms; zeros would still be
            // valid (if not unique) ids, and uniqueness is enforced by the schema.
            let _ = getrandom::fill(pool);
            *used = 0;
        }
        let bytes = &pool[*used..*used + n];
        *used += n;
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
}

fn check_sqlite_header(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Ok(()) if &header == b"SQLite format 3\0" => Ok(()),
        Ok(()) => Err(CatalogError::NotACatalog {
            path: path.to_path_buf(),
            reason: "it is not a SQLite file".into(),
        }),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(CatalogError::NotACatalog {
            path: path.to_path_buf(),
            reason: "it is too short to be a SQLite file".into(),
        }),
        Err(source) => Err(CatalogError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Creates the file (0600) and any missing parent directories (0700) before SQLite opens it.
fn create_private_file(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        // Another process created it first, or it exists empty: both fine.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
