//! The cache of temporary credentials: one owner-only file per catalog, connection, job and
//! policy in the user's cache directory, reused while more than five minutes remain. A lock
//! file per catalog, connection and job makes concurrent callers queue behind the one that
//! calls STS, then reuse what it wrote, or the failure it met: each waits no longer than its
//! own timeout, and none asks STS again for what the one before it just failed to get.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::ProcessCredentials;
use crate::sql::DiagnosticKind;

/// Credentials closer to their expiry than this are not handed out again.
pub const MIN_REMAINING: Duration = Duration::minutes(5);

/// Where one set of credentials lives, and the lock its writers share.
pub struct Entry {
    file: PathBuf,
    lock: PathBuf,
    /// The last failure of a caller that held the lock: what its waiters answer with.
    failed: PathBuf,
    /// The file name's start that every version of this connection and job shares.
    family: String,
    dir: PathBuf,
}

/// What makes cached credentials the right ones: the connection and job as they are now (their
/// ids and last change), the duration and the session policy asked for.
pub struct Key<'a> {
    pub catalog: &'a Path,
    pub connection_id: &'a str,
    pub connection_updated: OffsetDateTime,
    pub job: Option<(&'a str, OffsetDateTime)>,
    pub duration_seconds: u32,
    pub policy: Option<&'a str>,
}

impl Entry {
    pub fn new(dir: &Path, key: &Key<'_>) -> Entry {
        let mut hash = Sha256::new();
        for part in [
            key.catalog.to_string_lossy().as_ref(),
            key.connection_id,
            &key.connection_updated.unix_timestamp_nanos().to_string(),
            key.job.map_or("", |(id, _)| id),
            &key.job.map_or(String::new(), |(_, at)| {
                at.unix_timestamp_nanos().to_string()
            }),
            &key.duration_seconds.to_string(),
            key.policy.unwrap_or(""),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest: String = hash
            .finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        // Two catalogs may hold the same connection ids (one copied from the other): the
        // family is the catalog's too, so neither evicts the other's credentials.
        let catalog: String = Sha256::digest(key.catalog.to_string_lossy().as_bytes())
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect();
        let family = format!(
            "{catalog}-{}-{}",
            key.connection_id,
            key.job.map_or("connection", |(id, _)| id)
        );
        Entry {
            file: dir.join(format!("{family}-{digest}.json")),
            lock: dir.join(format!("{family}.lock")),
            failed: dir.join(format!("{family}.failed")),
            family,
            dir: dir.to_path_buf(),
        }
    }

    /// The cached credentials, when they are there, well-formed and not about to expire.
    pub fn read(&self, now: OffsetDateTime) -> Option<ProcessCredentials> {
        let text = fs::read_to_string(&self.file).ok()?;
        let creds: ProcessCredentials = serde_json::from_str(&text).ok()?;
        let fresh = creds.expiration()? - now > MIN_REMAINING;
        (fresh && creds.is_well_formed()).then_some(creds)
    }

    /// Waits for the other callers of this connection and job until `deadline`; held until
    /// dropped. `Ok(None)` when the deadline came first.
    pub fn lock_until(&self, deadline: Instant) -> std::io::Result<Option<File>> {
        make_dir(&self.dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&self.lock)?;
        let mut pause = std::time::Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(std::time::Duration::from_millis(50));
        }
    }

    /// The failure the last holder of the lock met, if it met one after `since` (its kind and
    /// its one line): a caller that queued behind it answers with it rather than asking STS
    /// again.
    pub fn failure_since(&self, since: OffsetDateTime) -> Option<(DiagnosticKind, String)> {
        let text = fs::read_to_string(&self.failed).ok()?;
        let mut lines = text.lines();
        let at = OffsetDateTime::from_unix_timestamp_nanos(lines.next()?.parse().ok()?).ok()?;
        let kind = DiagnosticKind::from_code(lines.next()?)?;
        let message = lines.next()?.to_string();
        (at >= since).then_some((kind, message))
    }

    /// Records a failure (its kind and one line, never a secret) for the callers waiting on the
    /// lock.
    pub fn write_failure(
        &self,
        at: OffsetDateTime,
        kind: DiagnosticKind,
        message: &str,
    ) -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&self.failed)?;
        let line = message.replace('\n', " ");
        f.write_all(format!("{}\n{kind}\n{line}\n", at.unix_timestamp_nanos()).as_bytes())
    }

    /// Writes the credentials (owner-only, replaced whole) and removes the versions made for an
    /// earlier state of the connection or job.
    pub fn write(&self, creds: &ProcessCredentials) -> std::io::Result<()> {
        make_dir(&self.dir)?;
        let tmp = self
            .file
            .with_extension(format!("tmp{}", std::process::id()));
        {
            let mut f = OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(serde_json::to_string(creds)?.as_bytes())?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &self.file)?;
        let _ = fs::remove_file(&self.failed);
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(&format!("{}-", self.family))
                    && name.ends_with(".json")
                    && entry.path() != self.file
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }
}

/// The cache directory, owner-only; an existing one with wider permissions is narrowed.
fn make_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
