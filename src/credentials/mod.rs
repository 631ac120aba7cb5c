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
use crate::catalog::{
    Access, Catalog, CatalogError, CredentialIssue, Standing, StoredConnection, StoredJob,
};
use crate::clock::{now, parse_rfc3339, rfc3339};
use crate::policy::session_policy;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Credentials, Ident, Span};

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

/// Why no credentials: a diagnostic like any other, which the command prints on one line of
/// stderr (SDKs log a credential process's stderr, and show only its first line): never a
/// secret, its control characters escaped.
pub type Failure = Diagnostic;

/// A failure of the command itself (no statement to point into).
fn failure(kind: DiagnosticKind, message: impl Into<String>) -> Failure {
    Diagnostic::error(kind, Span::default(), message)
}

/// A connection without credentials of its own has nothing to hand out, through this command
/// or a profile (SHOW AWS PROFILE): the error that says so, at `at`.
pub fn nothing_to_hand_out(connection: &StoredConnection, at: Span) -> Option<Diagnostic> {
    matches!(connection.spec.credentials, Credentials::Default).then(|| {
        Diagnostic::error(
            DiagnosticKind::AwsNoCredentials,
            at,
            format!(
                "connection {} has no credentials of its own to hand out",
                Ident::new(connection.name.as_str())
            ),
        )
        .with_help(
            "it uses the caller's AWS identity, which the tool already has; give it AWS_ROLE and \
             EXTERNAL_ID with ALTER S3 CONNECTION … SET to use it through a profile",
        )
    })
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
        CatalogError::Missing { .. } => failure(
            DiagnosticKind::CatalogMissing,
            format!(
                "there is no catalog at {}: create the connection first, or give --catalog",
                crate::catalog::shown_target(&options.catalog)
            ),
        ),
        other => other.at(Span::default()),
    })?;
    let connection = catalog.find_connection(&named(&options.connection))?;
    let job = match &options.job {
        Some(name) => Some(catalog.job_of(&named(name), &connection)?),
        None => None,
    };
    if let Some(refusal) = nothing_to_hand_out(&connection, Span::default()) {
        return Err(refusal);
    }
    let access = catalog.access().map_err(|e| e.at(Span::default()))?;
    if let Some(refusal) = may_not_use(&mut catalog, &access, &connection)? {
        return Err(refusal);
    }
    let audit = access.team.then(|| Audit {
        role: access.role.clone(),
        connection: connection.clone(),
        job: job.as_ref().map(|j| j.name.clone()),
    });
    let policy = session_policy(&connection.spec, job.as_ref().map(|j| &j.spec))
        .map_err(|e| failure(DiagnosticKind::InvalidValue, e.to_string()))?;
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
    let mut issue_now = |policy| {
        let left = deadline.saturating_duration_since(Instant::now());
        let creds = fresh(
            left,
            options,
            &connection,
            job.as_ref(),
            policy,
            audit.as_ref(),
        )?;
        record(&mut catalog, audit.as_ref(), &creds)?;
        Ok::<_, Failure>(creds)
    };
    let Some(entry) = entry else {
        return issue_now(policy).map(|c| c.to_json());
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
        failure(
            DiagnosticKind::Catalog,
            format!("cannot lock the credentials cache ({e}); run with --no-cache"),
        )
    })?;
    let Some(_lock) = lock else {
        return Err(failure(
            DiagnosticKind::AwsTimeout,
            format!(
                "another connsql credentials call for this connection held the cache for more \
                 than --timeout ({} s); run again, or raise --timeout",
                options.timeout.as_secs_f64()
            ),
        ));
    };
    if let Some(hit) = entry.read(now()) {
        return Ok(hit.to_json());
    }
    if let Some((kind, message)) = entry.failure_since(started) {
        return Err(failure(kind, message));
    }
    match issue_now(policy) {
        Ok(creds) => {
            // A cache that cannot be written costs speed, not correctness.
            let _ = entry.write(&creds);
            Ok(creds.to_json())
        }
        Err(failed) => {
            let _ = entry.write_failure(
                now(),
                failed.kind,
                &crate::sql::render::one_line_body(&failed),
            );
            Err(failed)
        }
    }
}

/// On a team catalog, who asks for credentials, for the audit and the `SourceIdentity`.
struct Audit {
    role: String,
    connection: StoredConnection,
    job: Option<String>,
}

/// Why this role may not have the connection's credentials, if it may not: a member needs
/// USAGE on the connection, and a key connection's secret is for administrators.
fn may_not_use(
    catalog: &mut Catalog,
    access: &Access,
    connection: &StoredConnection,
) -> Result<Option<Failure>, Failure> {
    let name = Ident::new(connection.name.as_str());
    let role = Ident::new(access.role.as_str());
    if access.team
        && access.standing != Standing::Admin
        && !catalog
            .may_use(&connection.id)
            .map_err(|e| e.at(Span::default()))?
    {
        return Ok(Some(
            failure(
                DiagnosticKind::UsageRequired,
                format!("role {role} has no USAGE on connection {name}"),
            )
            .with_help(format!(
                "ask an administrator to run: GRANT USAGE ON CONNECTION {name} TO {role};"
            )),
        ));
    }
    if let Some(secret) = connection.spec.withheld().first() {
        use crate::sql::options::OptionKey;
        return Ok(Some(
            failure(
                DiagnosticKind::SecretWithheld,
                format!(
                    "connection {name} hands out credentials made with its {}, which only administrators may read",
                    secret.name()
                ),
            )
            .with_help(
                "ask an administrator for a role connection (AWS_ROLE): members use those",
            ),
        ));
    }
    Ok(None)
}

/// Appends an issue to a team catalog's audit. Credentials whose issue cannot be recorded
/// are not handed out (nor cached): they expire unused.
fn record(
    catalog: &mut Catalog,
    audit: Option<&Audit>,
    creds: &ProcessCredentials,
) -> Result<(), Failure> {
    let Some(audit) = audit else {
        return Ok(());
    };
    catalog
        .record_issue(&CredentialIssue {
            at: rfc3339(now()),
            role: audit.role.clone(),
            connection_id: audit.connection.id.clone(),
            connection: audit.connection.name.clone(),
            job: audit.job.clone(),
            session_name: crate::aws::session_name(
                audit.job.as_deref().unwrap_or(&audit.connection.name),
            ),
            expiration: creds.expiration.clone(),
        })
        .map_err(|e| e.at(Span::default()))
}

/// Credentials from STS, the call bounded by `timeout`.
fn fresh(
    timeout: Duration,
    options: &Options,
    connection: &StoredConnection,
    job: Option<&StoredJob>,
    policy: Option<String>,
    audit: Option<&Audit>,
) -> Result<ProcessCredentials, Failure> {
    if timeout.is_zero() {
        return Err(failure(
            DiagnosticKind::AwsTimeout,
            format!(
                "no time was left of --timeout ({} s) after waiting for another connsql \
                 credentials call",
                options.timeout.as_secs_f64()
            ),
        ));
    }
    let request = IssueRequest {
        credentials: &connection.spec.credentials,
        session_name: crate::aws::session_name(job.map_or(&connection.name, |j| &j.name)),
        duration_seconds: options.duration_seconds as i32,
        policy,
        source_identity: audit.map(|a| crate::validation::source_identity(&a.role)),
    };
    let issued = issue(&request, timeout)?;
    Ok(ProcessCredentials::from_issued(&issued))
}

/// A name from the command line, folded as SQL folds names (`LAKE` is `lake`, `"Lake"` exact).
fn named(name: &str) -> Ident {
    Ident::new(crate::catalog::fold_name(name))
}

/// `path` made absolute against the working directory, without resolving links; a catalog
/// server's URL as it is shown (without a password).
pub fn absolute(path: &Path) -> PathBuf {
    if crate::catalog::is_postgres(path) {
        return PathBuf::from(crate::catalog::shown_target(path));
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
