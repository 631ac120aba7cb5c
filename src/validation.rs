//! The validation seam between the executor and AWS: what to prove, and what came back.
//! `session` calls a [`Validator`]; `aws::StsValidator` is the real one.

use crate::sql::diagnostic::Diagnostic;
use crate::sql::values::{KmsKeyArn, S3Path};
use crate::sql::{ConnectionOption, Credentials};

/// One connection's credentials to prove, and the S3 access to prove with them. The external
/// ID of a role is always resolved here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidationRequest {
    /// The connection's name, from which the STS session name is derived.
    pub connection: String,
    pub credentials: Credentials,
    pub s3: Vec<S3Check>,
    /// The connection's `ENCRYPTION_KMS_KEY`, for diagnoses.
    pub kms_key: Option<KmsKeyArn>,
    /// `SourceIdentity` for every role assumption (a team catalog's role; see
    /// [`source_identity`]), or none.
    pub source_identity: Option<String>,
}

/// What makes two requests the same round of calls: the credentials, the S3 checks and who
/// assumes the role.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestKey {
    pub credentials: Credentials,
    pub s3: Vec<S3Check>,
    pub source_identity: Option<String>,
}

/// A catalog role as an STS `SourceIdentity`: 2 to 64 of `A-Z a-z 0-9 _ + = , . @ -` (what
/// AWS accepts), other characters as `-` (so it never begins with AWS's reserved `aws:`).
pub fn source_identity(role: &str) -> String {
    let mut out: String = role
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if out.len() < 2 {
        out = format!("connsql-{out}").chars().take(64).collect();
    }
    out
}

impl ValidationRequest {
    /// What CREATE, ALTER and VALIDATE prove of a connection: its credentials, then each
    /// display-filter location listed, or with none the buckets, as Upsolver does.
    pub fn for_connection(name: &str, spec: &crate::sql::ConnectionSpec) -> ValidationRequest {
        let s3 = if spec.path_display_filters.is_empty() {
            vec![S3Check::ListBuckets]
        } else {
            spec.path_display_filters
                .iter()
                .cloned()
                .map(S3Check::Location)
                .collect()
        };
        ValidationRequest {
            connection: name.to_string(),
            credentials: spec.credentials.clone(),
            s3,
            kms_key: spec.encryption_kms_key.clone(),
            source_identity: None,
        }
    }

    /// Two requests with the same key need only one round of calls.
    pub fn key(&self) -> RequestKey {
        RequestKey {
            credentials: self.credentials.clone(),
            s3: self.s3.clone(),
            source_identity: self.source_identity.clone(),
        }
    }
}

/// An S3 action `VALIDATE … ON … FOR` and `VALIDATE JOB` prove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum S3Action {
    List,
    Read,
    Write,
    Delete,
}

impl S3Action {
    pub fn as_str(self) -> &'static str {
        match self {
            S3Action::List => "LIST",
            S3Action::Read => "READ",
            S3Action::Write => "WRITE",
            S3Action::Delete => "DELETE",
        }
    }

    /// For messages: "AWS refused to let … list s3://…".
    pub fn verb(self) -> &'static str {
        match self {
            S3Action::List => "list",
            S3Action::Read => "read",
            S3Action::Write => "write to",
            S3Action::Delete => "delete from",
        }
    }
}

/// One S3 check made with the connection's credentials.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum S3Check {
    /// Upsolver's check of a connection without display filters: list the buckets. A refusal
    /// is a warning (a role may well be scoped to its buckets).
    ListBuckets,
    /// List a display-filter location; a refusal fails the statement.
    Location(S3Path),
    /// One action on a location, reported as a row.
    Action(S3Action, S3Path),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S3Status {
    Ok,
    Denied,
    Failed,
    /// Not tried (a write through a `READ_ONLY` connection).
    Skipped,
}

impl S3Status {
    pub fn as_str(self) -> &'static str {
        match self {
            S3Status::Ok => "ok",
            S3Status::Denied => "denied",
            S3Status::Failed => "failed",
            S3Status::Skipped => "skipped",
        }
    }
}

/// The outcome of one `S3Check::Action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Row {
    pub action: S3Action,
    pub location: String,
    pub status: S3Status,
    pub detail: String,
    /// What to do about a refusal or failure.
    pub diagnostic: Option<Diagnostic>,
}

/// What AWS said when the credentials worked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationReport {
    pub caller_arn: Option<String>,
    pub assumed_role_arn: Option<String>,
    /// Problems that do not stop the statement, such as a trust policy that does not require
    /// the external ID. Spans are filled in by the session.
    pub warnings: Vec<Diagnostic>,
    /// The rows of the `S3Check::Action` checks, in request order.
    pub s3_rows: Vec<S3Row>,
}

/// Why the credentials did not work, and which options the diagnostic should point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationFailure {
    /// Boxed: results carrying it stay small.
    pub diagnostic: Box<Diagnostic>,
    /// The option the caret goes under (the first of these the statement has).
    pub target: Vec<ConnectionOption>,
    /// Other options involved, each with a label.
    pub also: Vec<(ConnectionOption, String)>,
    /// AWS's error code (`AccessDenied`) and request id, when AWS answered.
    pub aws_code: Option<String>,
    pub request_id: Option<String>,
}

impl ValidationFailure {
    pub fn new(diagnostic: Diagnostic) -> Self {
        ValidationFailure {
            diagnostic: Box::new(diagnostic),
            target: Vec::new(),
            also: Vec::new(),
            aws_code: None,
            request_id: None,
        }
    }

    pub fn at(mut self, target: &[ConnectionOption]) -> Self {
        self.target = target.to_vec();
        self
    }
}

pub type ValidationResult = Result<ValidationReport, ValidationFailure>;

/// Proves connections against AWS. Implementations must bound the time of every call, and
/// give up (with a `cancelled` failure) when the process is asked to stop.
pub trait Validator {
    /// Validates every request, concurrently where it can; results come in request order.
    fn validate(&self, requests: &[ValidationRequest]) -> Vec<ValidationResult>;

    /// The ARN of the identity connsql calls AWS as (the principal a trust policy must allow).
    fn caller_arn(&self) -> Result<String, ValidationFailure>;

    /// The region connsql's AWS settings name, if any (for the profile stanza a tool uses).
    fn region(&self) -> Option<String>;
}
