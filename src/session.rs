//! Execution: statements to outcomes. The one entry point the REPL and batch share:
//! check → validate (through the [`Validator`] seam) → apply in the catalog → outcome.

use std::collections::HashMap;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::aws::policy;
use crate::catalog::{Catalog, CatalogError, StoredConnection, ValidationRecord};
use crate::sql::ast::{MASK, Options};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::options::OptionKey;
use crate::sql::{
    ConnectionSpec, Credentials, Ident, Plan, Redacted, Span, Statement, StatementKind, check,
};
use crate::validation::{ValidationFailure, ValidationRequest, ValidationResult, Validator};

/// What a statement did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Created,
    Replaced,
    Altered,
    Renamed,
    Dropped,
    Unchanged,
    Skipped,
    Validated,
}

impl Status {
    /// The `"status"` of the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Replaced => "replaced",
            Status::Altered => "altered",
            Status::Renamed => "renamed",
            Status::Dropped => "dropped",
            Status::Unchanged => "unchanged",
            Status::Skipped => "skipped",
            Status::Validated => "validated",
        }
    }
}

/// How a result set is best shown as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Rows and columns.
    Table,
    /// One value to print as it is, such as a policy document to paste.
    Document,
}

/// Rows of named columns; cells are JSON values (null, booleans, strings, arrays, objects).
#[derive(Clone, Debug, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
    pub shape: Shape,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A statement about one connection that is not a query.
    Done {
        status: Status,
        connection: String,
        /// Extra words for people, such as the new name of a rename or why nothing happened.
        detail: Option<String>,
        validation: Option<ValidationRecord>,
    },
    Rows(ResultSet),
}

/// A statement that ran: its outcome and any warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Executed {
    pub outcome: Outcome,
    pub warnings: Vec<Diagnostic>,
}

pub type StatementResult = Result<Executed, Vec<Diagnostic>>;

/// Above this many remembered validations the memory is cleared, so a long batch stays bounded.
const REMEMBER_LIMIT: usize = 10_000;

pub struct Session {
    catalog: Catalog,
    validator: Box<dyn Validator>,
    validate: bool,
    /// Validation results by credentials, kept for the rest of a batch run.
    remembered: HashMap<Credentials, ValidationResult>,
    remember: bool,
}

impl Session {
    /// `validate` false is `--no-validate`: offline checks only, and nothing claims validation.
    pub fn new(catalog: Catalog, validator: Box<dyn Validator>, validate: bool) -> Self {
        Session {
            catalog,
            validator,
            validate,
            remembered: HashMap::new(),
            remember: false,
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn catalog_mut(&mut self) -> &mut Catalog {
        &mut self.catalog
    }

    /// Keeps validation results for the rest of the run, so identical credentials are proven
    /// once (batch mode). The REPL leaves this off: a user who fixes IAM and retries expects a
    /// fresh call.
    pub fn remember_validations(&mut self, on: bool) {
        self.remember = on;
        if !on {
            self.remembered.clear();
        }
    }

    /// Runs one statement. Writes go into the catalog's open transaction (begun here if none is
    /// open) inside a savepoint, so a failed statement leaves nothing behind; the caller commits.
    pub fn execute(&mut self, stmt: &Statement) -> StatementResult {
        let (plan, mut warnings) = check(stmt)?;
        let mut executed = self.run(stmt, plan).map_err(|mut d| {
            // Catalog failures come without a place: they are about the whole statement.
            if d.span.same_place(Span::default()) {
                d.span = stmt.connection_name().map_or(stmt.span, |n| n.span);
            }
            vec![d]
        })?;
        warnings.append(&mut executed.warnings);
        executed.warnings = warnings;
        Ok(executed)
    }

    /// The validation a statement will most likely need, judged from the catalog as it is now:
    /// batch mode proves these ahead, concurrently, before applying statements in order.
    pub fn predicted_validation(&self, stmt: &Statement) -> Option<ValidationRequest> {
        if !self.validate {
            return None;
        }
        let (plan, _) = check(stmt).ok()?;
        match plan {
            Plan::Create {
                name,
                spec,
                if_not_exists,
                ..
            } => {
                if if_not_exists && self.catalog.connection(&name.value).ok()?.is_some() {
                    return None;
                }
                Some(self.request(&name.value, &self.resolved(spec)))
            }
            Plan::Alter { name, changes } => {
                let current = self.catalog.connection(&name.value).ok()??;
                let next = self.resolved(current.spec.altered(&changes).ok()?);
                (next.credentials != current.spec.credentials)
                    .then(|| self.request(&name.value, &next))
            }
            Plan::Validate { name } => {
                let current = self.catalog.connection(&name.value).ok()??;
                Some(self.request(&name.value, &current.spec))
            }
            _ => None,
        }
    }

    /// Proves `requests` concurrently and remembers the results for [`Session::execute`].
    pub fn prefetch(&mut self, requests: Vec<ValidationRequest>) {
        let mut fresh: Vec<ValidationRequest> = Vec::new();
        for r in requests {
            if !self.remembered.contains_key(r.key()) && !fresh.iter().any(|f| f.key() == r.key()) {
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
            self.remembered.insert(request.credentials, result);
        }
    }

    fn validate_now(&mut self, request: ValidationRequest) -> ValidationResult {
        if let Some(result) = self.remembered.get(request.key()) {
            return result.clone();
        }
        let result = self
            .validator
            .validate(std::slice::from_ref(&request))
            .pop()
            .unwrap_or_else(|| {
                Err(ValidationFailure {
                    diagnostic: Box::new(Diagnostic::error(
                        DiagnosticKind::AwsError,
                        Span::default(),
                        "the validator returned nothing",
                    )),
                    target: None,
                })
            });
        if self.remember {
            if self.remembered.len() >= REMEMBER_LIMIT {
                self.remembered.clear();
            }
            self.remembered.insert(request.credentials, result.clone());
        }
        result
    }

    /// Fills in the catalog's external ID for a role without one.
    fn resolved(&self, mut spec: ConnectionSpec) -> ConnectionSpec {
        if let Credentials::Role {
            external_id: external_id @ None,
            ..
        } = &mut spec.credentials
        {
            *external_id = Some(self.catalog.settings().external_id.clone());
        }
        spec
    }

    fn request(&self, name: &str, spec: &ConnectionSpec) -> ValidationRequest {
        ValidationRequest {
            connection: name.to_string(),
            credentials: spec.credentials.clone(),
        }
    }

    fn lookup(&self, name: &Ident) -> Result<StoredConnection, Diagnostic> {
        if let Some(found) = self.catalog.connection(&name.value).map_err(catalog_diag)? {
            return Ok(found);
        }
        let mut diag = Diagnostic::error(
            DiagnosticKind::ConnectionNotFound,
            name.span,
            format!("connection {name} does not exist"),
        );
        let names = self.catalog.names().map_err(catalog_diag)?;
        let closest = names
            .iter()
            .map(|n| (strsim::jaro_winkler(n, &name.value), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        diag = match closest {
            Some((_, n)) => diag.with_label(format!("did you mean {}?", Ident::new(n.as_str()))),
            None => diag.with_help("SHOW CONNECTIONS lists the connections of this catalog"),
        };
        Err(diag)
    }

    /// Validates `spec` for the statement, pointing failures at the option to blame.
    fn prove(
        &mut self,
        stmt: &Statement,
        name: &str,
        spec: &ConnectionSpec,
    ) -> Result<Option<(ValidationRecord, Vec<Diagnostic>)>, Diagnostic> {
        if !self.validate {
            return Ok(None);
        }
        match self.validate_now(self.request(name, spec)) {
            Ok(report) => {
                let warnings = report
                    .warnings
                    .iter()
                    .map(|w| Diagnostic {
                        span: option_span(stmt, Some(OptionKey::ExternalId)),
                        ..w.clone()
                    })
                    .collect::<Vec<_>>();
                let record = ValidationRecord {
                    at: now(),
                    caller_arn: report.caller_arn,
                    assumed_role_arn: report.assumed_role_arn,
                    warnings: warnings.iter().map(|w| w.message.clone()).collect(),
                };
                Ok(Some((record, warnings)))
            }
            Err(failure) => Err(Diagnostic {
                span: option_span(stmt, failure.target),
                ..*failure.diagnostic
            }),
        }
    }

    fn run(&mut self, stmt: &Statement, plan: Plan) -> Result<Executed, Diagnostic> {
        match plan {
            Plan::Create {
                or_replace,
                if_not_exists,
                name,
                spec,
            } => self.create(stmt, or_replace, if_not_exists, &name, self.resolved(spec)),
            Plan::Alter { name, changes } => {
                let current = self.lookup(&name)?;
                let next = self.resolved(current.spec.altered(&changes)?);
                if next == current.spec {
                    return Ok(done(
                        Status::Unchanged,
                        &name.value,
                        Some("no option changed".into()),
                    ));
                }
                let proven = if next.credentials != current.spec.credentials {
                    self.prove(stmt, &name.value, &next)?
                } else {
                    None
                };
                let text = Redacted(stmt).to_string();
                self.catalog
                    .atomically(|c| {
                        let at = now();
                        c.update(&current.id, &next, at)?;
                        c.record_history("alter", &current.id, &name.value, &text, at)?;
                        if let Some((record, _)) = &proven {
                            c.record_validation(&current.id, record)?;
                        }
                        Ok::<_, CatalogError>(())
                    })
                    .map_err(catalog_diag)?;
                Ok(with_validation(Status::Altered, &name.value, None, proven))
            }
            Plan::Rename { name, new_name } => {
                let current = self.lookup(&name)?;
                if new_name.value == name.value {
                    return Ok(done(
                        Status::Unchanged,
                        &name.value,
                        Some("the name is the same".into()),
                    ));
                }
                if self
                    .catalog
                    .connection(&new_name.value)
                    .map_err(catalog_diag)?
                    .is_some()
                {
                    return Err(Diagnostic::error(
                        DiagnosticKind::ConnectionExists,
                        new_name.span,
                        format!("connection {new_name} already exists"),
                    )
                    .with_help("choose another name, or DROP CONNECTION the other one first"));
                }
                let text = Redacted(stmt).to_string();
                self.catalog
                    .atomically(|c| {
                        let at = now();
                        c.rename(&current.id, &new_name.value, at)?;
                        c.record_history("rename", &current.id, &new_name.value, &text, at)
                    })
                    .map_err(catalog_diag)?;
                Ok(done(
                    Status::Renamed,
                    &new_name.value,
                    Some(format!("renamed from {name}")),
                ))
            }
            Plan::Drop { if_exists, name } => {
                let current = match self.catalog.connection(&name.value).map_err(catalog_diag)? {
                    Some(c) => c,
                    None if if_exists => {
                        return Ok(done(
                            Status::Skipped,
                            &name.value,
                            Some("it does not exist".into()),
                        ));
                    }
                    // Not found: `lookup` builds the error (with a did-you-mean).
                    None => self.lookup(&name)?,
                };
                let text = Redacted(stmt).to_string();
                self.catalog
                    .atomically(|c| {
                        c.delete(&current.id)?;
                        c.record_history("drop", &current.id, &name.value, &text, now())
                    })
                    .map_err(catalog_diag)?;
                Ok(done(Status::Dropped, &name.value, None))
            }
            Plan::Validate { name } => {
                let current = self.lookup(&name)?;
                if !self.validate {
                    return Ok(done(
                        Status::Skipped,
                        &name.value,
                        Some("--no-validate is set".into()),
                    ));
                }
                let proven = self.prove(stmt, &name.value, &current.spec)?;
                if let Some((record, _)) = &proven {
                    self.catalog
                        .atomically(|c| c.record_validation(&current.id, record))
                        .map_err(catalog_diag)?;
                }
                Ok(with_validation(
                    Status::Validated,
                    &name.value,
                    None,
                    proven,
                ))
            }
            Plan::ShowConnections { like } => {
                let all = self
                    .catalog
                    .connections(like.as_deref())
                    .map_err(catalog_diag)?;
                Ok(rows(ResultSet {
                    columns: SHOW_COLUMNS.to_vec(),
                    rows: all.iter().map(show_row).collect(),
                    shape: Shape::Table,
                }))
            }
            Plan::Describe { name } => {
                let c = self.lookup(&name)?;
                Ok(rows(ResultSet {
                    columns: vec!["property", "value"],
                    rows: describe_rows(&c),
                    shape: Shape::Table,
                }))
            }
            Plan::ShowCreate { name } => {
                let c = self.lookup(&name)?;
                let create = Statement::new(StatementKind::CreateConnection {
                    or_replace: false,
                    if_not_exists: false,
                    name: Ident::new(c.name.as_str()),
                    options: c.spec.to_options(),
                });
                let text = format!("{:#};", Redacted(&create));
                Ok(rows(ResultSet {
                    columns: vec!["connection", "create_statement"],
                    rows: vec![vec![json!(c.name), json!(text)]],
                    shape: Shape::Document,
                }))
            }
            Plan::ShowTrustPolicy { connection } => {
                let (conn_name, external_id) = match &connection {
                    Some(name) => {
                        let c = self.lookup(name)?;
                        match &c.spec.credentials {
                            Credentials::Role {
                                external_id: Some(id),
                                ..
                            } => (Some(c.name.clone()), id.clone()),
                            other => {
                                return Err(Diagnostic::error(
                                    DiagnosticKind::MissingOption,
                                    name.span,
                                    format!("connection {name} does not assume a role ({} credentials)", other.method()),
                                )
                                .with_help("a trust policy belongs to a role: ALTER S3 CONNECTION … SET AWS_ROLE = '…' first"));
                            }
                        }
                    }
                    None => (None, self.catalog.settings().external_id.clone()),
                };
                let (principal, warnings) = self.principal(stmt)?;
                let document = policy::trust_policy(&principal, external_id.as_str());
                Ok(Executed {
                    outcome: Outcome::Rows(ResultSet {
                        columns: vec!["connection", "external_id", "policy"],
                        rows: vec![vec![
                            json!(conn_name),
                            json!(external_id.as_str()),
                            document,
                        ]],
                        shape: Shape::Document,
                    }),
                    warnings,
                })
            }
            Plan::ShowS3Policy { name } => {
                let c = self.lookup(&name)?;
                Ok(rows(ResultSet {
                    columns: vec!["connection", "policy"],
                    rows: vec![vec![json!(c.name), policy::s3_policy(&c.spec)]],
                    shape: Shape::Document,
                }))
            }
        }
    }

    /// The caller identity for a trust policy, or a placeholder (with a warning) offline.
    fn principal(&mut self, stmt: &Statement) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
        if !self.validate {
            let warning = Diagnostic::warning(
                DiagnosticKind::AwsNoCredentials,
                stmt.span,
                "--no-validate: the principal is a placeholder",
            )
            .with_help("replace <ACCOUNT_ID> with the account connsql runs as, or run without --no-validate");
            return Ok(("arn:aws:iam::<ACCOUNT_ID>:root".into(), vec![warning]));
        }
        match self.validator.caller_arn() {
            Ok(arn) => Ok((arn, Vec::new())),
            Err(failure) => Err(Diagnostic {
                span: stmt.span,
                ..*failure.diagnostic
            }),
        }
    }

    fn create(
        &mut self,
        stmt: &Statement,
        or_replace: bool,
        if_not_exists: bool,
        name: &Ident,
        spec: ConnectionSpec,
    ) -> Result<Executed, Diagnostic> {
        // Only OR REPLACE needs the stored connection; the others only whether one exists.
        let existing = if or_replace {
            self.catalog.connection(&name.value).map_err(catalog_diag)?
        } else if self.catalog.exists(&name.value).map_err(catalog_diag)? {
            if if_not_exists {
                return Ok(done(
                    Status::Skipped,
                    &name.value,
                    Some("it already exists".into()),
                ));
            }
            return Err(Diagnostic::error(
                DiagnosticKind::ConnectionExists,
                name.span,
                format!("connection {name} already exists"),
            )
            .with_help(
                "use CREATE OR REPLACE to overwrite it, CREATE … IF NOT EXISTS to keep it, \
                 or ALTER S3 CONNECTION … SET to change one option",
            ));
        } else {
            None
        };
        if existing
            .as_ref()
            .is_some_and(|current| current.spec == spec)
        {
            return Ok(done(
                Status::Unchanged,
                &name.value,
                Some("the options are the same".into()),
            ));
        }
        let proven = self.prove(stmt, &name.value, &spec)?;
        let text = Redacted(stmt).to_string();
        let status = self
            .catalog
            .atomically(|c| {
                let at = now();
                let (id, status, action) = match &existing {
                    Some(current) => {
                        c.update(&current.id, &spec, at)?;
                        (current.id.clone(), Status::Replaced, "replace")
                    }
                    None => (
                        c.insert(&name.value, &spec, at)?.id,
                        Status::Created,
                        "create",
                    ),
                };
                c.record_history(action, &id, &name.value, &text, at)?;
                if let Some((record, _)) = &proven {
                    c.record_validation(&id, record)?;
                }
                Ok::<_, CatalogError>(status)
            })
            .map_err(catalog_diag)?;
        Ok(with_validation(status, &name.value, None, proven))
    }
}

/// The span of option `key` in the statement (name to value), or the connection name's.
fn option_span(stmt: &Statement, key: Option<OptionKey>) -> Span {
    let options: Option<&Options> = match &stmt.kind {
        StatementKind::CreateConnection { options, .. } => Some(options),
        StatementKind::AlterConnection { set, .. } => Some(set),
        _ => None,
    };
    let found = key
        .and_then(|k| options?.get(k))
        .or_else(|| options?.get(OptionKey::AwsRole));
    match (found, stmt.connection_name()) {
        (Some(setting), _) => setting.span(),
        (None, Some(name)) => name.span,
        (None, None) => stmt.span,
    }
}

pub fn catalog_diag(e: CatalogError) -> Diagnostic {
    Diagnostic::error(DiagnosticKind::Catalog, Span::default(), e.to_string())
}

/// The current time, to the millisecond (what RFC 3339 output shows).
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t)
}

fn done(status: Status, connection: &str, detail: Option<String>) -> Executed {
    Executed {
        outcome: Outcome::Done {
            status,
            connection: connection.to_string(),
            detail,
            validation: None,
        },
        warnings: Vec::new(),
    }
}

fn with_validation(
    status: Status,
    connection: &str,
    detail: Option<String>,
    proven: Option<(ValidationRecord, Vec<Diagnostic>)>,
) -> Executed {
    let (validation, warnings) = match proven {
        Some((record, warnings)) => (Some(record), warnings),
        None => (None, Vec::new()),
    };
    Executed {
        outcome: Outcome::Done {
            status,
            connection: connection.to_string(),
            detail,
            validation,
        },
        warnings,
    }
}

fn rows(set: ResultSet) -> Executed {
    Executed {
        outcome: Outcome::Rows(set),
        warnings: Vec::new(),
    }
}

/// SHOW CONNECTIONS columns, which are also its JSON keys (SPEC §2).
pub const SHOW_COLUMNS: &[&str] = &[
    "name",
    "type",
    "authentication",
    "aws_role",
    "external_id",
    "aws_access_key_id",
    "read_only",
    "path_display_filters",
    "encryption_kms_key",
    "comment",
    "created_at",
    "updated_at",
    "validated_at",
];

fn ts(t: OffsetDateTime) -> Value {
    json!(crate::catalog::format_time(t))
}

fn show_row(c: &StoredConnection) -> Vec<Value> {
    let (role, external_id, key_id) = match &c.spec.credentials {
        Credentials::Default => (None, None, None),
        Credentials::Role { arn, external_id } => (
            Some(arn.as_str()),
            external_id.as_ref().map(|e| e.as_str()),
            None,
        ),
        Credentials::Keys { access_key_id, .. } => (None, None, Some(access_key_id.as_str())),
    };
    vec![
        json!(c.name),
        json!("S3"),
        json!(c.spec.credentials.method()),
        json!(role),
        json!(external_id),
        json!(key_id),
        json!(c.spec.read_only),
        json!(
            c.spec
                .path_display_filters
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        ),
        json!(c.spec.encryption_kms_key.as_ref().map(|k| k.as_str())),
        json!(c.spec.comment),
        ts(c.created_at),
        ts(c.updated_at),
        c.validated_at.map_or(Value::Null, ts),
    ]
}

fn describe_rows(c: &StoredConnection) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = SHOW_COLUMNS
        .iter()
        .zip(show_row(c))
        .map(|(k, v)| vec![json!(k), v])
        .collect();
    let secret = |set: bool| if set { json!(MASK) } else { Value::Null };
    let insert_at = |out: &mut Vec<Vec<Value>>, after: &str, key: &str, value: Value| {
        let i = out
            .iter()
            .position(|r| r[0] == after)
            .map_or(out.len(), |i| i + 1);
        out.insert(i, vec![json!(key), value]);
    };
    let has_secret = matches!(c.spec.credentials, Credentials::Keys { .. });
    insert_at(
        &mut out,
        "aws_access_key_id",
        "aws_secret_access_key",
        secret(has_secret),
    );
    insert_at(
        &mut out,
        "encryption_kms_key",
        "encryption_customer_managed_key",
        secret(c.spec.encryption_customer_managed_key.is_some()),
    );
    out.insert(0, vec![json!("id"), json!(c.id)]);
    let v = c.validation.as_ref();
    out.push(vec![
        json!("caller_arn"),
        json!(v.and_then(|v| v.caller_arn.clone())),
    ]);
    out.push(vec![
        json!("assumed_role_arn"),
        json!(v.and_then(|v| v.assumed_role_arn.clone())),
    ]);
    out.push(vec![
        json!("validation_warnings"),
        json!(v.map(|v| v.warnings.clone()).unwrap_or_default()),
    ]);
    out
}
