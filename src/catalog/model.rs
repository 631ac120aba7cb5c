//! What a catalog holds, engine-neutral: stored connections, validation records, history
//! entries and the catalog's settings.

use time::OffsetDateTime;

use crate::sql::ConnectionSpec;
use crate::sql::ast::Privilege;
use crate::sql::job_spec::JobSpec;
use crate::sql::values::ExternalId;

/// A connection as the catalog holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConnection {
    /// Stable across OR REPLACE, ALTER and RENAME.
    pub id: String,
    pub name: String,
    pub spec: ConnectionSpec,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When the current credentials were last proven against AWS; `None` when never.
    pub validated_at: Option<OffsetDateTime>,
    pub validation: Option<ValidationRecord>,
}

/// A job as the catalog holds it, with the current name of its connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredJob {
    /// Stable across OR REPLACE and ALTER.
    pub id: String,
    pub name: String,
    /// The connection it references: by identity, so RENAME and OR REPLACE keep it.
    pub connection_id: String,
    pub connection_name: String,
    pub spec: JobSpec,
    /// The role that created it (on a file, the OS user): it and administrators may change it.
    pub owner: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub validated_at: Option<OffsetDateTime>,
}

/// The jobs that use a connection: the first few names and how many there are, counted up to
/// [`Dependents::COUNTED`]: a refusal names a few and says how many more, and counting 100,000
/// index entries to say so exactly cost more than the rest of the statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependents {
    pub names: Vec<String>,
    /// At most `COUNTED + 1`; more than `COUNTED` means "more than COUNTED".
    pub count: usize,
}

impl Dependents {
    pub const COUNTED: usize = 1000;

    /// Whether there are more than [`Dependents::COUNTED`] (and `count` is not exact).
    pub fn beyond_count(&self) -> bool {
        self.count > Self::COUNTED
    }
}

/// The outcome of a successful validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationRecord {
    pub at: OffsetDateTime,
    /// Who connsql was when it called STS.
    pub caller_arn: Option<String>,
    /// The session the role assumption gave, for role connections.
    pub assumed_role_arn: Option<String>,
    pub warnings: Vec<String>,
}

/// One change, as the append-only history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// RFC 3339 UTC.
    pub at: String,
    pub os_user: String,
    /// `create`, `replace`, `alter`, `rename` or `drop`.
    pub action: String,
    /// `connection` or `job`.
    pub object: String,
    /// The name of the connection, or of the job.
    pub connection_name: String,
    /// The statement, secrets masked.
    pub statement: String,
}

/// Where the person running connsql stands in a catalog (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Manages connections, grants, and every job.
    Admin,
    /// Reads connections and creates jobs on the connections it may use.
    Member,
    /// Neither: may read nothing.
    Outsider,
}

/// Who runs connsql against a catalog and what they may do. A file belongs to the OS user who
/// owns it (`team` false): its one user is its administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The catalog role (the server's `current_user`), or the OS user for a file.
    pub role: String,
    pub standing: Standing,
    /// Whether privileges are the server's: a PostgreSQL catalog.
    pub team: bool,
}

/// One privilege granted, as `SHOW GRANTS` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRecord {
    /// A role name, or `public`.
    pub role: String,
    pub privilege: Privilege,
    /// The connection's current name, for USAGE ON CONNECTION.
    pub connection: Option<String>,
    pub granted_by: String,
    /// RFC 3339 UTC.
    pub granted_at: String,
}

/// One issue of temporary credentials, as the audit keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialIssue {
    /// RFC 3339 UTC.
    pub at: String,
    pub role: String,
    pub connection_id: String,
    pub connection: String,
    pub job: Option<String>,
    pub session_name: String,
    /// RFC 3339 UTC.
    pub expiration: String,
}

/// Settings created with the catalog and never changed.
#[derive(Clone, Debug)]
pub struct CatalogSettings {
    pub id: String,
    /// Used by role connections created without EXTERNAL_ID, and by `SHOW TRUST POLICY`.
    pub external_id: ExternalId,
}

/// Which engine a catalog runs on and where, for people (never a password).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// `sqlite` or `postgresql`.
    pub engine: &'static str,
    /// The file, or the server and database.
    pub place: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.place, self.engine)
    }
}

/// The OS user recorded in the history, looked up once per process: `$USER` (or `LOGNAME`),
/// else the account name of the process's user id (a cron job or container often has no
/// `$USER`), else the uid itself.
pub fn os_user() -> &'static str {
    static USER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    USER.get_or_init(|| {
        ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .or_else(account_name)
            // SAFETY: getuid has no preconditions and cannot fail.
            .unwrap_or_else(|| format!("uid {}", unsafe { libc::getuid() }))
    })
}

/// The account name of the process's real user id, from the password database.
fn account_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is a valid value to be filled in.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, and `buf` outlives the strings `pwd` points
    // into, which are read before it is dropped.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so pw_name is a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_str()
        .ok()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// A 128-bit id whose first 48 bits are the creation time in milliseconds (like UUIDv7):
/// ids sort by creation, and new ones land at the end of the id index instead of at random
/// places in it, which keeps large batches from touching a new index page per row.
pub fn time_ordered_id(now: OffsetDateTime) -> String {
    let millis = (now.unix_timestamp_nanos() / 1_000_000) as u64 & 0xffff_ffff_ffff;
    // Digit by digit rather than through `format!`: a batch makes an id per statement.
    let mut id = String::with_capacity(32);
    for shift in (0..12).rev() {
        id.push(char::from(HEX[((millis >> (4 * shift)) & 15) as usize]));
    }
    push_random_hex(&mut id, 10);
    id
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut out = String::with_capacity(2 * n);
    push_random_hex(&mut out, n);
    out
}

/// Appends `n` random bytes as lower-case hex. The OS generator is read 4 KiB at a time: a
/// batch makes an id per statement, and a system call each showed up.
fn push_random_hex(out: &mut String, n: usize) {
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
        for b in bytes {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_with_their_millisecond_and_sort_by_it() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_764_633_600_123_456_789).unwrap();
        let id = time_ordered_id(at);
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(&id[..12], format!("{:012x}", 1_764_633_600_123u64));
        let later = time_ordered_id(at + time::Duration::milliseconds(1));
        assert!(later > id);
        assert_ne!(time_ordered_id(at), id);
        assert_eq!(random_hex(16).len(), 32);
    }
}
