//! Execution: statements to outcomes. [`Session::run`] (in `unit`) is the one entry point the
//! REPL and batch share; it owns the unit of work. Each plan has a handler (`connections` for
//! changes, `show` for reads) that checks, validates through the [`Validator`] seam, applies in
//! the catalog and returns a typed [`Outcome`].

mod access;
mod connections;
mod create;
mod jobs;
mod outcome;
mod privileges;
mod show;
#[cfg(test)]
mod tests;
mod unit;

use std::collections::HashMap;
use std::path::PathBuf;

pub use outcome::{Executed, Object, Outcome, Proof, StatementResult, Status};
pub use unit::{OnError, Report, Reporter, RunOptions, RunSummary, StopPoint};

use crate::catalog::{Catalog, CatalogError, Location, StoredConnection, ValidationRecord};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{
    ConnectionOption, ConnectionSpec, Credentials, Ident, Plan, Span, Statement, check,
};
use crate::validation::{ValidationFailure, ValidationRequest, ValidationResult, Validator};

/// Above this many remembered validations the memory is cleared, so a long batch stays bounded.
const REMEMBER_LIMIT: usize = 10_000;

/// The catalog, or where it would be: it is created by the first statement that changes
/// something, never by one that only reads.
pub enum CatalogSlot {
    Open(Catalog),
    Missing {
        path: PathBuf,
        /// The default catalog path, when `path` is another.
        default: Option<PathBuf>,
    },
}

/// A validation result kept for the rest of a run, with the connection it was made for.
struct Remembered {
    result: ValidationResult,
    made_for: String,
}

pub struct Session {
    catalog: CatalogSlot,
    validator: Box<dyn Validator>,
    /// Options of the run in progress.
    opts: RunOptions,
    /// Validation results by credentials, kept for the rest of a run: identical credentials
    /// are proven once per run.
    remembered: HashMap<crate::validation::RequestKey, Remembered>,
    /// A catalog error that makes the catalog unusable: the run stops, exit status 2.
    fatal: Option<CatalogError>,
    /// The `SourceIdentity` of role assumptions, once known (`Some(None)`: none, a file).
    identity: Option<Option<String>>,
}

impl Session {
    pub fn new(catalog: CatalogSlot, validator: Box<dyn Validator>) -> Self {
        Session {
            catalog,
            validator,
            opts: RunOptions::default(),
            remembered: HashMap::new(),
            fatal: None,
            identity: None,
        }
    }

    /// Where the catalog is, and whether it exists yet.
    pub fn catalog_location(&self) -> (String, bool) {
        match &self.catalog {
            CatalogSlot::Open(c) => (c.location().to_string(), true),
            CatalogSlot::Missing { path, .. } => (
                Location {
                    engine: if crate::catalog::is_postgres(path) {
                        "postgresql"
                    } else {
                        "sqlite"
                    },
                    place: crate::catalog::shown_target(path),
                }
                .to_string(),
                false,
            ),
        }
    }

    /// Connection names, for completion (none when there is no catalog yet).
    pub fn connection_names(&mut self) -> Vec<String> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.names().unwrap_or_default(),
            CatalogSlot::Missing { .. } => Vec::new(),
        }
    }

    /// The job names of the catalog, for completion; none when it does not exist yet.
    pub fn job_names(&mut self) -> Vec<String> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.job_names().unwrap_or_default(),
            CatalogSlot::Missing { .. } => Vec::new(),
        }
    }

    /// The roles of a team catalog's server, for completion (none for a file).
    pub fn role_names(&mut self) -> Vec<String> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.roles().unwrap_or_default(),
            CatalogSlot::Missing { .. } => Vec::new(),
        }
    }

    /// Runs one statement inside the open unit of work: check, validate, apply.
    fn execute(&mut self, stmt: &Statement) -> StatementResult {
        let (plan, mut warnings) = check(stmt)?;
        let mut executed = self.dispatch(stmt, plan).map_err(|d| vec![d])?;
        warnings.append(&mut executed.warnings);
        executed.warnings = warnings;
        Ok(executed)
    }

    /// One handler per plan.
    fn dispatch(&mut self, stmt: &Statement, plan: Plan) -> Result<Executed, Diagnostic> {
        if plan.changes_definitions() {
            self.changing(stmt.span)?;
        }
        self.require(stmt, &plan)?;
        match plan {
            Plan::Create {
                or_replace,
                if_not_exists,
                name,
                spec,
            } => self.create(stmt, or_replace, if_not_exists, &name, spec),
            Plan::Alter { name, changes } => self.alter(stmt, &name, &changes),
            Plan::Rename { name, new_name } => self.rename(stmt, &name, &new_name),
            Plan::Drop {
                if_exists,
                name,
                behavior,
            } => self.drop_connection(stmt, if_exists, &name, behavior),
            Plan::CreateJob {
                or_replace,
                if_not_exists,
                name,
                connection,
                spec,
            } => self.create_job(stmt, or_replace, if_not_exists, &name, &connection, spec),
            Plan::AlterJob { name, changes } => self.alter_job(stmt, &name, &changes),
            Plan::DropJob { if_exists, name } => self.drop_job(stmt, if_exists, &name),
            Plan::ShowJobs { like, connection } => {
                self.show_jobs(like.as_deref(), connection.as_ref())
            }
            Plan::DescribeJob { name } => self.describe_job(&name),
            Plan::ShowCreateJob { name } => self.show_create_job(&name),
            Plan::Validate { name } => self.validate_connection(stmt, &name),
            Plan::ShowConnections { like } => self.show_connections(like.as_deref()),
            Plan::Describe { name } => self.describe(&name),
            Plan::ShowCreate { name } => self.show_create(&name),
            Plan::ShowTrustPolicy { connection } => {
                self.show_trust_policy(stmt, connection.as_ref())
            }
            Plan::ShowS3Policy { name } => self.show_s3_policy(&name),
            Plan::ValidateAccess {
                name,
                location,
                at,
                access,
            } => self.validate_access(stmt, &name, &location, at, access),
            Plan::ValidateJob { name } => self.validate_job(stmt, &name),
            Plan::ShowAwsProfile { connection, job } => {
                self.show_aws_profile(&connection, job.as_ref())
            }
            Plan::Grant {
                revoke,
                privilege,
                object,
                roles,
            } => self.grant(stmt, revoke, privilege, &object, &roles),
            Plan::ShowGrants { filter } => self.show_grants(filter.as_ref()),
            Plan::ShowCredentialIssues { connection } => {
                self.show_credential_issues(connection.as_ref())
            }
        }
    }

    /// The catalog for a statement that reads: a missing catalog is an error naming it.
    fn reading(&mut self, at: Span) -> Result<&mut Catalog, Diagnostic> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => Ok(c),
            CatalogSlot::Missing { path, default } => Err(catalog_diag(
                CatalogError::Missing {
                    path: PathBuf::from(crate::catalog::shown_target(path)),
                    default: default.clone(),
                },
                at,
            )),
        }
    }

    /// The catalog for a statement that changes something, created when missing (in memory
    /// for a dry run, which writes nothing).
    fn writing(&mut self, at: Span) -> Result<&mut Catalog, Diagnostic> {
        if let CatalogSlot::Missing { path, .. } = &self.catalog {
            let created = if self.opts.dry_run {
                Catalog::in_memory()
            } else {
                Catalog::open_or_create(path)
            };
            match created {
                Ok(mut c) => {
                    c.set_statement_savepoints(self.catalog_savepoints());
                    self.catalog = CatalogSlot::Open(c);
                    // What `changing` did not get to do while the catalog was missing: another
                    // process may have made the same catalog a moment ago and be writing to it.
                    self.changing(at)?;
                }
                Err(e) => {
                    let diag = catalog_diag(e.clone(), at);
                    self.fatal = Some(e);
                    return Err(diag);
                }
            }
        }
        self.reading(at)
    }

    /// Opens the write transaction before a statement that changes connections or jobs reads
    /// what it checks, so that its checks and its writes are one step for every other writer
    /// (another process dropping the connection a job is being created on, say). A missing
    /// catalog stays missing here: whether the statement creates it is its own business.
    fn changing(&mut self, at: Span) -> Result<(), Diagnostic> {
        if let CatalogSlot::Open(c) = &mut self.catalog {
            c.begin().map_err(|e| catalog_diag(e, at))?;
        }
        Ok(())
    }

    fn catalog_savepoints(&self) -> bool {
        self.opts.single_transaction || self.opts.dry_run
    }

    /// The catalog's generated external ID for a role without one.
    fn resolved(
        &mut self,
        mut spec: ConnectionSpec,
        at: Span,
    ) -> Result<ConnectionSpec, Diagnostic> {
        if let Credentials::Role {
            external_id: external_id @ None,
            ..
        } = &mut spec.credentials
        {
            *external_id = Some(self.writing(at)?.settings().external_id.clone());
        }
        Ok(spec)
    }

    /// The stored connection named `name`, or a `connection-not-found` error with the closest
    /// name as "did you mean".
    fn lookup(&mut self, name: &Ident) -> Result<StoredConnection, Diagnostic> {
        self.reading(name.span)?.find_connection(name)
    }

    /// Validates `spec` for the statement, pointing failures at the option to blame.
    fn prove(
        &mut self,
        stmt: &Statement,
        name: &str,
        spec: &ConnectionSpec,
    ) -> Result<Option<(Proof, Vec<Diagnostic>)>, Diagnostic> {
        if !self.opts.validate {
            return Ok(None);
        }
        if let Some(secret) = spec.withheld().first() {
            return Err(withheld(stmt, name, *secret));
        }
        let mut request = ValidationRequest::for_connection(name, spec);
        request.source_identity = self.source_identity();
        let (result, made_for) = self.validate_now(request);
        match result {
            Ok(report) => {
                let warnings: Vec<Diagnostic> = report
                    .warnings
                    .iter()
                    .map(|w| Diagnostic {
                        span: option_span(
                            stmt,
                            &[ConnectionOption::ExternalId, ConnectionOption::AwsRole],
                        ),
                        ..w.clone()
                    })
                    .collect();
                let record = ValidationRecord {
                    at: crate::clock::now(),
                    caller_arn: report.caller_arn,
                    assumed_role_arn: report.assumed_role_arn,
                    warnings: warnings.iter().map(|w| w.message.clone()).collect(),
                };
                let shared_with = (made_for != name).then_some(made_for);
                Ok(Some((
                    Proof {
                        record,
                        shared_with,
                    },
                    warnings,
                )))
            }
            Err(failure) => Err(failure_diag(stmt, &failure)),
        }
    }

    /// Proves one request, or reuses what this run proved for the same credentials.
    fn validate_now(&mut self, request: ValidationRequest) -> (ValidationResult, String) {
        if let Some(r) = self.remembered.get(&request.key()) {
            return (r.result.clone(), r.made_for.clone());
        }
        let result = self.validate_one(&request);
        if self.remembered.len() >= REMEMBER_LIMIT {
            self.remembered.clear();
        }
        self.remembered.insert(
            request.key(),
            Remembered {
                result: result.clone(),
                made_for: request.connection.clone(),
            },
        );
        (result, request.connection)
    }

    /// One request through the validator, without the run's memory of proofs.
    fn validate_one(&self, request: &ValidationRequest) -> ValidationResult {
        self.validator
            .validate(std::slice::from_ref(request))
            .pop()
            .unwrap_or_else(|| {
                Err(ValidationFailure::new(Diagnostic::error(
                    DiagnosticKind::AwsError,
                    Span::default(),
                    "the validator returned nothing",
                )))
            })
    }

    /// The validation a statement will most likely need, judged from the catalog as it is now:
    /// a run proves these ahead, concurrently, before applying statements in order.
    fn predicted_validation(&mut self, stmt: &Statement) -> Option<ValidationRequest> {
        if !self.opts.validate {
            return None;
        }
        let (plan, _) = check(stmt).ok()?;
        let generated = match &self.catalog {
            CatalogSlot::Open(c) => Some(c.settings().external_id.clone()),
            CatalogSlot::Missing { .. } => None,
        };
        let resolve = |mut spec: ConnectionSpec| {
            if let Credentials::Role {
                external_id: id @ None,
                ..
            } = &mut spec.credentials
            {
                *id = generated.clone();
            }
            spec
        };
        let current = |s: &mut Self, name: &str| match &mut s.catalog {
            CatalogSlot::Open(c) => c.connection(name).ok().flatten(),
            CatalogSlot::Missing { .. } => None,
        };
        let identity = self.source_identity();
        let request = |name: &str, spec: ConnectionSpec| ValidationRequest {
            source_identity: identity.clone(),
            ..ValidationRequest::for_connection(name, &spec)
        };
        match plan {
            Plan::Create {
                name,
                spec,
                if_not_exists,
                ..
            } => {
                if if_not_exists && current(self, &name.value).is_some() {
                    return None;
                }
                let spec = resolve(spec);
                matches!(
                    &spec.credentials,
                    Credentials::Role {
                        external_id: Some(_),
                        ..
                    } | Credentials::Keys { .. }
                        | Credentials::Default
                )
                .then(|| request(&name.value, spec))
            }
            Plan::Alter { name, changes } => {
                let stored = current(self, &name.value)?;
                let next = resolve(stored.spec.altered(&changes).ok()?);
                (next.credentials != stored.spec.credentials).then(|| request(&name.value, next))
            }
            Plan::Validate { name } => {
                let stored = current(self, &name.value)?;
                Some(request(&name.value, stored.spec))
            }
            _ => None,
        }
    }

    /// Proves `requests` concurrently and remembers the results for the statements.
    fn prefetch(&mut self, requests: Vec<ValidationRequest>) {
        let mut fresh: Vec<ValidationRequest> = Vec::new();
        for r in requests {
            if !self.remembered.contains_key(&r.key()) && !fresh.iter().any(|f| f.key() == r.key())
            {
                fresh.push(r);
            }
        }
        if fresh.is_empty() {
            return;
        }
        if self.remembered.len() + fresh.len() > REMEMBER_LIMIT {
            self.remembered.clear();
        }
        let results = self.validator.validate(&fresh);
        for (request, result) in fresh.into_iter().zip(results) {
            // A cancelled call proves nothing: the statement asks again, or the run stops.
            if matches!(&result, Err(f) if f.diagnostic.kind == DiagnosticKind::Cancelled) {
                continue;
            }
            self.remembered.insert(
                request.key(),
                Remembered {
                    result,
                    made_for: request.connection,
                },
            );
        }
    }
}

/// A validation failure as a diagnostic on the statement: the caret under the first target
/// option the statement has, secondary labels on the others involved.
pub(super) fn failure_diag(stmt: &Statement, failure: &ValidationFailure) -> Diagnostic {
    let mut diag = Diagnostic {
        span: option_span(stmt, &failure.target),
        ..(*failure.diagnostic).clone()
    };
    for (key, label) in &failure.also {
        if let Some(span) = stmt.option_span(*key) {
            diag = diag.with_secondary(span, label.clone());
        }
    }
    diag
}

/// The span of the first of `keys` the statement sets (name to value), else the connection
/// name's, else the statement's.
fn option_span(stmt: &Statement, keys: &[ConnectionOption]) -> Span {
    keys.iter()
        .find_map(|k| stmt.option_span(*k))
        .or_else(|| stmt.connection_name().map(|n| n.span))
        .unwrap_or(stmt.span)
}

/// A connection whose secret this role may not read cannot be proven with it.
pub(super) fn withheld(stmt: &Statement, name: &str, secret: ConnectionOption) -> Diagnostic {
    use crate::sql::options::OptionKey;
    Diagnostic::error(
        DiagnosticKind::SecretWithheld,
        stmt.connection_name().map_or(stmt.span, |n| n.span),
        format!(
            "connection {} needs its {}, which only administrators may read",
            Ident::new(name),
            secret.name()
        ),
    )
    .with_help("ask an administrator to validate it, or to use a role connection (AWS_ROLE), which has no secret")
}

/// A catalog failure as a diagnostic of its own kind, at the statement it stopped.
pub fn catalog_diag(e: CatalogError, at: Span) -> Diagnostic {
    e.at(at)
}
