//! The validation seam between the executor and AWS: what to prove, and what came back.
//! `session` calls a [`Validator`]; `aws::StsValidator` is the real one.

use crate::sql::diagnostic::Diagnostic;
use crate::sql::{ConnectionOption, Credentials};

/// One connection's credentials to prove. The external ID of a role is always resolved here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidationRequest {
    /// The connection's name, from which the STS session name is derived.
    pub connection: String,
    pub credentials: Credentials,
}

impl ValidationRequest {
    /// Two requests with the same key need only one round of calls.
    pub fn key(&self) -> &Credentials {
        &self.credentials
    }
}

/// What AWS said when the credentials worked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationReport {
    pub caller_arn: Option<String>,
    pub assumed_role_arn: Option<String>,
    /// Problems that do not stop the statement, such as a trust policy that does not require
    /// the external ID. Spans are filled in by the session.
    pub warnings: Vec<Diagnostic>,
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
}
