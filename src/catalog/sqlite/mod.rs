//! The SQLite engine: a catalog file (WAL, owner-only), created and migrated in one locked
//! step, so processes racing to create the same catalog all end up using it.

mod jobs;
mod migrations;
mod rows;

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use time::OffsetDateTime;

use super::codec::{CopyTable, TextRows};
use super::engine::{Control, Engine, NewHistory};
use super::model::{
    CatalogSettings, Dependents, HistoryEntry, Location, StoredConnection, StoredJob,
    ValidationRecord, os_user, random_hex,
};
use super::{CatalogError, Result};
use crate::clock::rfc3339;
use crate::sql::ConnectionSpec;
use crate::sql::job_spec::JobSpec;

pub use migrations::CURRENT_VERSION;

/// The SQLite library's version.
pub fn version() -> &'static str {
    rusqlite::version()
}

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct SqliteEngine {
    conn: Connection,
    path: PathBuf,
    location: Location,
    settings: CatalogSettings,
    /// Whether the page cache has been grown for jobs (see `grow_cache_for_jobs`).
    job_cache: bool,
    /// Set once a write found the disk full: from then on each transaction starts by
    /// checkpointing the WAL (see `control`).
    disk_full: std::cell::Cell<bool>,
}

/// The page cache a catalog opens with, and the one the first job written grows it to: a
/// window of 2,048 jobs with their history needs 8 MiB to commit without spilling to the log
/// (smaller made a 100,000-job batch 1.12x slower), while connections need half, and a batch
/// of a million of them stays within 32 MiB only with the smaller one.
const CACHE_KIB: i64 = 4096;
const JOB_CACHE_KIB: i64 = 8192;

/// The page size a new catalog is created with. Rows here (options, history statements) are a
/// few hundred bytes, and a batch appends them: 16 KiB pages make a quarter of the page writes,
/// splits and WAL frames that SQLite's default 4 KiB does (a 100,000-CREATE batch 0.83x the
/// time, BENCHMARKS.md). A catalog keeps the page size it was created with.
const NEW_PAGE_SIZE: i64 = 16384;

/// How large the WAL grows before a commit copies it back into the database, whatever the
/// file's page size.
const WAL_CHECKPOINT_BYTES: i64 = 40 << 20;

impl SqliteEngine {
    /// Opens the catalog at `path`; with `create`, a missing file is created (mode 0600,
    /// directory 0700) and initialised. A file that is not a connsql catalog is refused.
    pub fn open(path: &Path, create: bool) -> Result<SqliteEngine> {
        let io_err = |e: io::Error| CatalogError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let created = match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(CatalogError::NotACatalog {
                    path: path.to_path_buf(),
                    reason: "it is a directory".into(),
                });
            }
            Ok(meta) => {
                // Someone else's loose file is refused here, and changes nothing; one of the
                // user's own is made private only once it is known to be a catalog.
                refuse_loose_unowned(path, &meta)?;
                if meta.len() > 0 {
                    check_sqlite_header(path)?;
                }
                false
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => {
                return Err(CatalogError::Missing {
                    path: path.to_path_buf(),
                    default: None,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_file(path).map_err(|e| creation_error(path, e))?
            }
            Err(e) => return Err(io_err(e)),
        };
        let opened = Self::open_file(path);
        if opened.is_err() && created {
            // A catalog that could not be set up leaves nothing behind.
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let _ = fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        opened
    }

    fn open_file(path: &Path) -> Result<SqliteEngine> {
        check_writable(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sqlite_error(path, e))?;
        let engine = Self::prepare(conn, path.to_path_buf())?;
        // Known now to be a catalog (or made one, from an empty file): it holds secrets.
        make_private(path)?;
        Ok(engine)
    }

    /// Lets the file grow by `extra_pages` pages more and no further, as a full disk would:
    /// what fault tests make writes fail half-way with.
    pub fn limit_growth(&mut self, extra_pages: i64) -> Result<()> {
        let pages: i64 = self
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "max_page_count", pages + extra_pages)
            .map_err(|e| self.err(e))
    }

    /// A fresh, initialised catalog in memory.
    pub fn in_memory() -> Result<SqliteEngine> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sqlite_error(&path, e))?;
        Self::prepare(conn, path)
    }

    fn prepare(conn: Connection, path: PathBuf) -> Result<SqliteEngine> {
        let err = |e| sqlite_error(&path, e);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // Stable plans: without this, SQLite built with STAT4 re-prepares a cached look-up every
        // time a new name is bound, which dominated a large batch.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(err)?;
        prepare_schema(&conn, &path)?;
        // WAL lets readers run beside a writer; FULL sync makes a commit durable when it
        // returns. Each statement's savepoint journal stays in memory, and the page cache holds
        // a batch window's changes without spilling them to the log before the commit.
        set_wal(&conn, &path)?;
        let page_size: i64 = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .map_err(err)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -{CACHE_KIB}; PRAGMA wal_autocheckpoint = {};",
            WAL_CHECKPOINT_BYTES / page_size.max(512)
        ))
        .map_err(err)?;
        let settings = load_settings(&conn, &path)?;
        Ok(SqliteEngine {
            location: Location {
                engine: "sqlite",
                place: path.display().to_string(),
            },
            conn,
            path,
            settings,
            job_cache: false,
            disk_full: std::cell::Cell::new(false),
        })
    }

    fn err(&self, e: rusqlite::Error) -> CatalogError {
        let e = sqlite_error(&self.path, e);
        if matches!(e, CatalogError::Full { .. }) {
            self.disk_full.set(true);
        }
        e
    }

    /// Grows the page cache once this process writes a job ([`JOB_CACHE_KIB`]).
    fn grow_cache_for_jobs(&mut self) -> Result<()> {
        if !self.job_cache {
            self.conn
                .pragma_update(None, "cache_size", -JOB_CACHE_KIB)
                .map_err(|e| self.err(e))?;
            self.job_cache = true;
        }
        Ok(())
    }

    /// The first column of every row of a parameterless query.
    fn strings(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
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
}

impl Engine for SqliteEngine {
    fn location(&self) -> &Location {
        &self.location
    }

    fn settings(&self) -> &CatalogSettings {
        &self.settings
    }

    fn control(&mut self, op: Control) -> Result<()> {
        if op == Control::Begin && self.disk_full.get() {
            // On a full disk most of the space is the WAL's: the window that failed left its
            // frames there, and each statement the session replays alone appends its pages.
            // Copying the committed frames into the database and truncating the log gives that
            // space back, so what fits is bounded by the database, not by the log. It does not
            // wait: with a reader on an older snapshot it copies what it can and truncates
            // nothing (SQLite's PASSIVE), and the commit finds the disk full as before.
            let _ = self.conn.busy_timeout(Duration::ZERO);
            let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
            self.conn
                .busy_timeout(BUSY_TIMEOUT)
                .map_err(|e| self.err(e))?;
        }
        self.run_cached(match op {
            Control::Begin => "BEGIN IMMEDIATE",
            Control::Commit => "COMMIT",
            Control::Rollback => "ROLLBACK",
            Control::Savepoint => "SAVEPOINT statement",
            Control::Release => "RELEASE statement",
            Control::RollbackToSavepoint => "ROLLBACK TO statement",
        })
    }

    fn transaction_lost(&mut self) -> bool {
        self.conn.is_autocommit()
    }

    fn connection(&mut self, name: &str) -> Result<Option<StoredConnection>> {
        let mut stmt = self
            .conn
            .prepare_cached(rows::select_by_name())
            .map_err(|e| self.err(e))?;
        stmt.query_row([name], rows::from_row)
            .optional()
            .map_err(|e| sqlite_error(&self.path, e))
    }

    fn exists(&mut self, name: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM connections WHERE name = ?1")
            .map_err(|e| self.err(e))?;
        stmt.exists([name]).map_err(|e| sqlite_error(&self.path, e))
    }

    fn connections(&mut self, like: Option<&str>) -> Result<Vec<StoredConnection>> {
        let sql = match like {
            Some(_) => rows::select_like(),
            None => rows::select_all(),
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(like), rows::from_row)
            .map_err(|e| sqlite_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| sqlite_error(&self.path, e))
    }

    fn names(&mut self) -> Result<Vec<String>> {
        self.strings("SELECT name FROM connections ORDER BY name")
    }

    fn insert(&mut self, connection: &StoredConnection) -> Result<()> {
        rows::insert(&self.conn, connection).map_err(|e| self.err(e))
    }

    fn update(
        &mut self,
        id: &str,
        spec: &ConnectionSpec,
        keep_validation: bool,
        now: OffsetDateTime,
    ) -> Result<()> {
        rows::update(&self.conn, id, spec, keep_validation, now).map_err(|e| self.err(e))
    }

    fn rename(&mut self, id: &str, new_name: &str, now: OffsetDateTime) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE connections SET name = ?2, updated_at = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, new_name, rfc3339(now)]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn delete(&mut self, id: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM connection_secrets WHERE connection_id = ?1")
            .and_then(|mut s| s.execute([id]))
            .and_then(|_| {
                self.conn
                    .prepare_cached("DELETE FROM connections WHERE id = ?1")
            })
            .and_then(|mut s| s.execute([id]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn record_history(&mut self, entry: NewHistory<'_>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO history (at, os_user, action, object, connection_id, connection_name, statement, role) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?2)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rfc3339(entry.at),
                    os_user(),
                    entry.action,
                    entry.object,
                    entry.connection_id,
                    entry.connection_name,
                    entry.statement
                ])
            })
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn history(&mut self) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, os_user, action, object, connection_name, statement FROM history ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(HistoryEntry {
                    at: r.get(0)?,
                    os_user: r.get(1)?,
                    action: r.get(2)?,
                    object: r.get(3)?,
                    connection_name: r.get(4)?,
                    statement: r.get(5)?,
                })
            })
            .map_err(|e| sqlite_error(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| sqlite_error(&self.path, e))
    }

    fn record_validation(&mut self, id: &str, record: &ValidationRecord) -> Result<()> {
        rows::record_validation(&self.conn, id, record).map_err(|e| self.err(e))
    }

    fn job(&mut self, name: &str) -> Result<Option<StoredJob>> {
        jobs::by_name(&self.conn, name).map_err(|e| self.err(e))
    }

    fn job_exists(&mut self, name: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM jobs WHERE name = ?1")
            .and_then(|mut s| s.exists([name]))
            .map_err(|e| self.err(e))
    }

    fn jobs(&mut self, like: Option<&str>, connection_id: Option<&str>) -> Result<Vec<StoredJob>> {
        jobs::all(&self.conn, like, connection_id).map_err(|e| self.err(e))
    }

    fn job_names(&mut self) -> Result<Vec<String>> {
        self.strings("SELECT name FROM jobs ORDER BY name")
    }

    fn insert_job(&mut self, job: &StoredJob, definition: &str) -> Result<()> {
        self.grow_cache_for_jobs()?;
        jobs::insert(&self.conn, job, definition).map_err(|e| self.err(e))
    }

    fn update_job(
        &mut self,
        id: &str,
        connection_id: &str,
        spec: &JobSpec,
        definition: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.grow_cache_for_jobs()?;
        jobs::update(&self.conn, id, connection_id, spec, definition, now).map_err(|e| self.err(e))
    }

    fn delete_job(&mut self, id: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM jobs WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn dependents(
        &mut self,
        connection_id: &str,
        writers: bool,
        limit: usize,
    ) -> Result<Dependents> {
        jobs::dependents(&self.conn, connection_id, writers, limit).map_err(|e| self.err(e))
    }

    fn delete_jobs_of(&mut self, connection_id: &str) -> Result<Vec<(String, String)>> {
        jobs::delete_of(&self.conn, connection_id).map_err(|e| self.err(e))
    }

    fn record_job_validation(&mut self, id: &str, at: OffsetDateTime) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE jobs SET validated_at = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, rfc3339(at)]))
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn export_rows(&mut self, table: &CopyTable) -> Result<TextRows> {
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            table.columns.join(", "),
            table.name,
            table.order
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let n = table.columns.len();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            ValueRef::Null => None,
                            ValueRef::Integer(v) => Some(v.to_string()),
                            ValueRef::Real(v) => Some(v.to_string()),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                Some(String::from_utf8_lossy(t).into_owned())
                            }
                        })
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    fn import_rows(&mut self, table: &CopyTable, rows: &TextRows) -> Result<()> {
        let sql = table.insert_sql(|n, flag| {
            if flag {
                format!("CAST(?{n} AS INTEGER)")
            } else {
                format!("?{n}")
            }
        });
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(|e| sqlite_error(&self.path, e))?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.conn
            .execute_batch(
                "DROP TRIGGER history_no_delete; DELETE FROM history; \
                 CREATE TRIGGER history_no_delete BEFORE DELETE ON history \
                     BEGIN SELECT RAISE(ABORT, 'history is append-only'); END; \
                 DELETE FROM jobs; DELETE FROM validations; DELETE FROM connection_secrets; DELETE FROM connections; DELETE FROM settings;",
            )
            .map_err(|e| self.err(e))
    }
}

/// A SQLite failure as a catalog error of the right kind.
fn sqlite_error(path: &Path, e: rusqlite::Error) -> CatalogError {
    let path = path.to_path_buf();
    // A stored value the codec refused (see `rows::conversion`).
    if let rusqlite::Error::FromSqlConversionFailure(column, _, why) = &e {
        return CatalogError::Damaged {
            path,
            reason: format!("a stored value (column {column}) is not valid: {why}"),
        };
    }
    let code = e.sqlite_error_code();
    let message = e.to_string();
    match code {
        Some(ErrorCode::DiskFull) => CatalogError::Full { path, message },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => CatalogError::Busy {
            path,
            seconds: BUSY_TIMEOUT.as_secs(),
        },
        Some(ErrorCode::ReadOnly) => CatalogError::ReadOnly {
            reason: read_only_reason(&path),
            path,
        },
        Some(ErrorCode::CannotOpen) if !dir_writable(&path) => CatalogError::ReadOnly {
            reason: read_only_reason(&path),
            path,
        },
        Some(ErrorCode::NotADatabase) => CatalogError::NotACatalog {
            path,
            reason: "it is not a SQLite file".into(),
        },
        _ => CatalogError::Engine { path, message },
    }
}

/// Why a catalog cannot be written: the file, or the directory SQLite keeps its log in.
fn read_only_reason(path: &Path) -> String {
    if !dir_writable(path) {
        let dir = parent(path);
        format!(
            "its directory {} is read-only (SQLite keeps the catalog's -wal and -shm files beside it)",
            dir.display()
        )
    } else {
        "the file is read-only".into()
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn dir_writable(path: &Path) -> bool {
    access(parent(path), libc::W_OK)
}

fn access(path: &Path, mode: libc::c_int) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), mode) == 0 }
}

/// Refuses a catalog that cannot be opened for writing, before SQLite would quietly open it
/// read-only (and leave -wal/-shm files behind).
fn check_writable(path: &Path) -> Result<()> {
    if !access(path, libc::W_OK) || !dir_writable(path) {
        return Err(CatalogError::ReadOnly {
            path: path.to_path_buf(),
            reason: read_only_reason(path),
        });
    }
    Ok(())
}

/// The catalog and its -wal/-shm, with their metadata.
fn catalog_files(path: &Path) -> Vec<(PathBuf, fs::Metadata)> {
    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(m) = fs::metadata(&p) {
            files.push((p, m));
        }
    }
    files
}

fn loose(m: &fs::Metadata) -> bool {
    m.mode() & 0o077 != 0
}

/// A file readable or writable by others that the user does not own is refused before
/// anything is read or changed: it may hold secrets, and its owner must make it private.
fn refuse_loose_unowned(path: &Path, meta: &fs::Metadata) -> Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mut files = catalog_files(path);
    if files.is_empty() {
        files.push((path.to_path_buf(), meta.clone()));
    }
    match files.into_iter().find(|(_, m)| loose(m) && m.uid() != me) {
        Some((p, m)) => Err(CatalogError::LoosePermissions {
            path: p,
            mode: m.mode() & 0o777,
            help: "ask its owner to run `chmod 600` on it, or use a catalog of your own",
        }),
        None => Ok(()),
    }
}

/// A catalog (and its -wal/-shm) readable or writable by others is tightened to 0600: it
/// holds secrets. Only ever called on a file known to be a connsql catalog.
fn make_private(path: &Path) -> Result<()> {
    for (p, m) in catalog_files(path) {
        if !loose(&m) {
            continue;
        }
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).map_err(|e| {
            CatalogError::Io {
                path: p.clone(),
                message: format!("cannot make it private (chmod 600): {e}"),
            }
        })?;
    }
    Ok(())
}

fn creation_error(path: &Path, e: io::Error) -> CatalogError {
    if e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS) {
        return CatalogError::ReadOnly {
            path: path.to_path_buf(),
            reason: format!("it cannot be created in {} ({e})", parent(path).display()),
        };
    }
    CatalogError::Io {
        path: path.to_path_buf(),
        message: format!("cannot create it: {e}"),
    }
}

/// What the file's header pragmas say, read in one snapshot.
struct Header {
    app_id: i32,
    version: i64,
    tables: i64,
}

fn read_header(conn: &Connection) -> rusqlite::Result<Header> {
    Ok(Header {
        app_id: conn.pragma_query_value(None, "application_id", |r| r.get(0))?,
        version: conn.pragma_query_value(None, "user_version", |r| r.get(0))?,
        tables: conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?,
    })
}

/// Checks the header and brings the schema up to date. The header is read in one read
/// transaction; a catalog that needs creating or migrating is then handled under the write
/// lock, where the header is read again: a process that raced us may have done it meanwhile,
/// and an empty file is "being initialised" until then.
fn prepare_schema(conn: &Connection, path: &Path) -> Result<()> {
    let err = |e| sqlite_error(path, e);
    let header = in_transaction(conn, "BEGIN", read_header).map_err(err)?;
    if verdict(&header, path)? {
        return Ok(());
    }
    // Migrations rebuild tables that others reference (a new table, its rows copied, the old
    // one dropped, the new one renamed), which SQLite allows with foreign keys off only; they
    // are checked whole before the migration commits (`migrate`), and turned on again after.
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(err)?;
    // Takes effect only while the file is still empty (SQLite ignores it afterwards, and
    // inside a transaction), so a file being created gets it and any other keeps its own.
    conn.pragma_update(None, "page_size", NEW_PAGE_SIZE)
        .map_err(err)?;
    in_transaction(conn, "BEGIN IMMEDIATE", |c| {
        let header = read_header(c)?;
        match verdict(&header, path) {
            Ok(true) => Ok(Ok(())),
            Ok(false) => migrate(c, header.version).map(Ok),
            Err(e) => Ok(Err(e)),
        }
    })
    .map_err(err)?
}

/// `Ok(true)`: current; `Ok(false)`: empty or older, to initialise or migrate.
fn verdict(h: &Header, path: &Path) -> Result<bool> {
    if h.app_id != migrations::APPLICATION_ID && (h.app_id != 0 || h.version != 0 || h.tables != 0)
    {
        return Err(CatalogError::NotACatalog {
            path: path.to_path_buf(),
            reason: "it is a SQLite database of another program".into(),
        });
    }
    if h.version > CURRENT_VERSION {
        return Err(CatalogError::TooNew {
            path: path.to_path_buf(),
            found: h.version,
            supported: CURRENT_VERSION,
        });
    }
    Ok(h.version == CURRENT_VERSION)
}

/// Runs `f` inside `begin` … COMMIT, rolling back if it fails.
fn in_transaction<T>(
    conn: &Connection,
    begin: &str,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.execute_batch(begin)?;
    match f(conn) {
        Ok(v) => {
            conn.execute_batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Switches the file to WAL. SQLite answers "busy" at once (without waiting) when another
/// process holds the file while the mode changes, so this waits for it by hand.
fn set_wal(conn: &Connection, path: &Path) -> Result<()> {
    let started = Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(sqlite_error(path, e)),
        }
    }
}

fn migrate(conn: &Connection, version: i64) -> rusqlite::Result<()> {
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
    // Every reference still holds after the rebuilds.
    let broken: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!("{broken} rows reference what the migration lost")),
        ));
    }
    if version == 0 {
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('catalog_id', ?1), ('external_id', ?2)",
            params![random_hex(16), format!("connsql-{}", random_hex(16))],
        )?;
    }
    if version < 5 {
        // A file belongs to its OS user: the jobs made before owners were kept are theirs.
        conn.execute(
            "UPDATE jobs SET owner = ?1 WHERE owner = ''",
            params![super::model::os_user()],
        )?;
    }
    Ok(())
}

fn load_settings(conn: &Connection, path: &Path) -> Result<CatalogSettings> {
    super::settings_from(path, |key| {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| sqlite_error(path, e))
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
        Err(e) => Err(CatalogError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

/// Creates the file (0600) and any missing parent directories (0700) before SQLite opens it.
/// `true` when this call created it (so a failed set-up may remove it again).
fn create_private_file(path: &Path) -> io::Result<bool> {
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
        Ok(_) => Ok(true),
        // Another process created it first: it is being initialised, which `prepare_schema`
        // waits for.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}
