//! `connsql credentials`: a connection (and optionally one of its jobs) turned into temporary
//! AWS credentials in the `credential_process` format, narrowed by a session policy, cached
//! until five minutes before they expire. Any AWS CLI, SDK or engine uses a connection through
//! a profile whose `credential_process` runs this.

pub mod cache;
pub mod profile;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::aws::issue::{IssueRequest, Issued, issue};
use crate::aws::policy::session_policy;
use crate::catalog::{Catalog, CatalogError, StoredConnection, StoredJob};
use crate::clock::{now, parse_rfc3339, rfc3339};
use crate::sql::options::closest;
use crate::sql::{Credentials, Ident};

/// What `credential_process` prints: the format every AWS SDK and the AWS CLI read.
/// No `Debug`: it holds a secret.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessCredentials {
    pub version: u8,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// RFC 3339, UTC.
    pub expiration: String,
}

impl ProcessCredentials {
    fn from_issued(issued: &Issued) -> ProcessCredentials {
        ProcessCredentials {
            version: 1,
            access_key_id: issued.access_key_id.clone(),
            secret_access_key: issued.secret_access_key.clone(),
            session_token: issued.session_token.clone(),
            expiration: rfc3339(issued.expiration),
        }
    }

    pub fn expiration(&self) -> Option<OffsetDateTime> {
        parse_rfc3339(&self.expiration).ok()
    }

    /// Whether the three values are there and well-formed (a cache file is checked as an STS
    /// answer is).
    pub fn is_well_formed(&self) -> bool {
        crate::aws::issue::credential_problem(
            &self.access_key_id,
            &self.secret_access_key,
            &self.session_token,
        )
        .is_none()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// How long past its own deadline a waiting caller may wait for the outcome of the caller
/// before it.
const WAITER_GRACE: Duration = Duration::from_millis(500);

/// `connsql credentials` as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub catalog: PathBuf,
    pub connection: String,
    pub job: Option<String>,
    pub duration_seconds: u32,
    pub cache: bool,
    pub timeout: Duration,
}

/// Why no credentials: one line, with the fix, never a secret (SDKs log a credential
/// process's stderr), its control characters escaped.
#[derive(Debug)]
pub struct Failure(pub String);

impl Failure {
    fn new(message: impl AsRef<str>) -> Failure {
        Failure(one_line(message.as_ref()))
    }
}

/// Where the cache lives: `~/.cache/connsql/credentials` on Linux.
pub fn cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "connsql").map(|d| d.cache_dir().join("credentials"))
}

/// The credentials for `options`, as `credential_process` JSON.
pub fn credentials(options: &Options) -> Result<String, Failure> {
    // One bound for the whole call, a wait for another caller included.
    let deadline = Instant::now() + options.timeout;
    let mut catalog = Catalog::open(&options.catalog).map_err(|e| match e {
        CatalogError::Missing { .. } => Failure::new(format!(
            "there is no catalog at {}: create the connection first, or give --catalog",
            crate::catalog::shown_target(&options.catalog)
        )),
        other => Failure::new(other.to_string()),
    })?;
    let connection = find_connection(&mut catalog, &options.connection)?;
    let job = match &options.job {
        Some(name) => Some(find_job(&mut catalog, name, &connection)?),
        None => None,
    };
    if matches!(connection.spec.credentials, Credentials::Default) {
        return Err(Failure::new(format!(
            "connection {} has no credentials of its own (it uses the caller's AWS identity): \
             give it AWS_ROLE and EXTERNAL_ID with ALTER S3 CONNECTION … SET",
            Ident::new(connection.name.as_str())
        )));
    }
    let policy = session_policy(&connection.spec, job.as_ref().map(|j| &j.spec))
        .map_err(|e| Failure::new(e.to_string()))?;
    let entry = match (options.cache, cache_dir()) {
        (true, Some(dir)) => Some(cache::Entry::new(
            &dir,
            &cache::Key {
                catalog: &absolute(&options.catalog),
                connection_id: &connection.id,
                connection_updated: connection.updated_at,
                job: job.as_ref().map(|j| (j.id.as_str(), j.updated_at)),
                duration_seconds: options.duration_seconds,
                policy: policy.as_deref(),
            },
        )),
        _ => None,
    };
    let Some(entry) = entry else {
        let left = deadline.saturating_duration_since(Instant::now());
        return fresh(left, options, &connection, job.as_ref(), policy).map(|c| c.to_json());
    };
    let started = now();
    if let Some(hit) = entry.read(started) {
        return Ok(hit.to_json());
    }
    // One caller per connection and job asks STS; the others wait here, within their own
    // timeout, then find its answer or its failure. A caller that queued behind another is
    // given a moment past its deadline to take that caller's outcome, which is due then (both
    // calls are bounded alike), but never asks STS itself after its deadline.
    let lock = entry.lock_until(deadline + WAITER_GRACE).map_err(|e| {
        Failure::new(format!(
            "cannot lock the credentials cache ({e}); run with --no-cache"
        ))
    })?;
    let Some(_lock) = lock else {
        return Err(Failure::new(format!(
            "another connsql credentials call for this connection held the cache for more than              --timeout ({} s); run again, or raise --timeout",
            options.timeout.as_secs_f64()
        )));
    };
    if let Some(hit) = entry.read(now()) {
        return Ok(hit.to_json());
    }
    if let Some(failure) = entry.failure_since(started) {
        return Err(Failure(failure));
    }
    let left = deadline.saturating_duration_since(Instant::now());
    match fresh(left, options, &connection, job.as_ref(), policy) {
        Ok(creds) => {
            // A cache that cannot be written costs speed, not correctness.
            let _ = entry.write(&creds);
            Ok(creds.to_json())
        }
        Err(failure) => {
            let _ = entry.write_failure(now(), &failure.0);
            Err(failure)
        }
    }
}

/// Credentials from STS, the call bounded by `timeout`.
fn fresh(
    timeout: Duration,
    options: &Options,
    connection: &StoredConnection,
    job: Option<&StoredJob>,
    policy: Option<String>,
) -> Result<ProcessCredentials, Failure> {
    if timeout.is_zero() {
        return Err(Failure::new(format!(
            "no time was left of --timeout ({} s) after waiting for another connsql credentials call",
            options.timeout.as_secs_f64()
        )));
    }
    let request = IssueRequest {
        credentials: &connection.spec.credentials,
        session_name: crate::aws::session_name(job.map_or(&connection.name, |j| &j.name)),
        duration_seconds: options.duration_seconds as i32,
        policy,
    };
    let issued = issue(&request, timeout).map_err(|d| {
        let mut line = d.message.clone();
        if let Some(note) = &d.note {
            line.push_str(&format!(" ({note})"));
        }
        if let Some(help) = &d.help {
            line.push_str(": ");
            line.push_str(help);
        }
        Failure::new(line)
    })?;
    Ok(ProcessCredentials::from_issued(&issued))
}

fn find_connection(catalog: &mut Catalog, name: &str) -> Result<StoredConnection, Failure> {
    let err = |e: CatalogError| Failure::new(e.to_string());
    if let Some(c) = catalog.lookup(name).map_err(err)? {
        return Ok(c);
    }
    let names = catalog.names().map_err(err)?;
    Err(Failure::new(
        match closest(name, names.iter().map(String::as_str), 0.8) {
            Some(n) => format!(
                "no connection named {name}: did you mean {}?",
                Ident::new(n)
            ),
            None => format!("no connection named {name}: SHOW CONNECTIONS lists them"),
        },
    ))
}

fn find_job(
    catalog: &mut Catalog,
    name: &str,
    connection: &StoredConnection,
) -> Result<StoredJob, Failure> {
    let err = |e: CatalogError| Failure::new(e.to_string());
    let Some((job, of)) = catalog.lookup_job(name).map_err(err)? else {
        let names = catalog.job_names().map_err(err)?;
        return Err(Failure::new(
            match closest(name, names.iter().map(String::as_str), 0.8) {
                Some(n) => format!("no job named {name}: did you mean {}?", Ident::new(n)),
                None => format!("no job named {name}: SHOW JOBS lists them"),
            },
        ));
    };
    if of.id != connection.id {
        return Err(Failure::new(format!(
            "job {} uses connection {}, not {}: ask for `credentials {} --job {}`",
            Ident::new(job.name.as_str()),
            Ident::new(of.name.as_str()),
            Ident::new(connection.name.as_str()),
            Ident::new(of.name.as_str()),
            Ident::new(job.name.as_str()),
        )));
    }
    Ok(job)
}

/// `path` made absolute against the working directory, without resolving links; a catalog
/// server's URL as it is shown (without a password).
pub fn absolute(path: &Path) -> PathBuf {
    if crate::catalog::is_postgres(path) {
        return PathBuf::from(crate::catalog::shown_target(path));
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whitespace folded and control characters escaped: the message is one line on stderr.
fn one_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::sql::redact::escape_controls(&line).into_owned()
}
