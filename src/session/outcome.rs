//! What a statement did, as data: the session returns these and `output` alone turns them into
//! tables, JSON and CSV.

use serde_json::Value;

use crate::catalog::{CredentialIssue, GrantRecord, StoredConnection, StoredJob, ValidationRecord};
use crate::sql::ast::Privilege;
use crate::sql::diagnostic::Diagnostic;

/// What a statement did to an object.
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
    Granted,
    Revoked,
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
            Status::Granted => "granted",
            Status::Revoked => "revoked",
        }
    }
}

/// The object a change was about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    Connection(String),
    Job(String),
}

impl Object {
    /// `connection` or `job`: the JSON key and the word in sentences.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Connection(_) => "connection",
            Object::Job(_) => "job",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Object::Connection(n) | Object::Job(n) => n,
        }
    }
}

/// A validation that a change made (or reused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub record: ValidationRecord,
    /// Set when the proof was made for another connection with the same credentials earlier in
    /// the run (the session name in `assumed_role_arn` is that connection's).
    pub shared_with: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A statement that changed (or would change, or left alone) one object.
    Changed {
        status: Status,
        object: Object,
        /// Extra words for people, such as the new name of a rename or why nothing happened.
        detail: Option<String>,
        proof: Option<Proof>,
        /// The jobs a `DROP CONNECTION … CASCADE` dropped with it, by name.
        dropped_jobs: Vec<String>,
    },
    /// `SHOW CONNECTIONS`
    Connections(Vec<StoredConnection>),
    /// `DESCRIBE CONNECTION`
    Description(Box<StoredConnection>),
    /// `SHOW CREATE CONNECTION` / `SHOW CREATE JOB`: the statement, secrets masked.
    CreateStatement { object: Object, text: String },
    /// `SHOW JOBS`
    Jobs(Vec<StoredJob>),
    /// `DESCRIBE JOB`
    JobDescription(Box<StoredJob>),
    /// `SHOW TRUST POLICY`
    TrustPolicy {
        connection: Option<String>,
        external_id: String,
        policy: Value,
    },
    /// `SHOW S3 POLICY FOR CONNECTION`
    S3Policy { connection: String, policy: Value },
    /// `VALIDATE CONNECTION … ON … FOR`, `VALIDATE JOB`: one row per S3 action.
    Access(Vec<crate::validation::S3Row>),
    /// `SHOW AWS PROFILE FOR CONNECTION`: the `~/.aws/config` stanza.
    AwsProfile { profile: String, config: String },
    /// `GRANT` / `REVOKE`: the privilege, on a connection or the catalog, and the roles named.
    Grant {
        status: Status,
        privilege: Privilege,
        connection: Option<String>,
        roles: Vec<String>,
        /// Why nothing changed, when nothing did.
        detail: Option<String>,
    },
    /// `SHOW GRANTS`
    Grants(Vec<GrantRecord>),
    /// `SHOW CREDENTIAL ISSUES`
    CredentialIssues(Vec<CredentialIssue>),
}

/// A statement that ran: its outcome and any warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Executed {
    pub outcome: Outcome,
    pub warnings: Vec<Diagnostic>,
}

impl Executed {
    pub fn new(outcome: Outcome) -> Self {
        Executed {
            outcome,
            warnings: Vec::new(),
        }
    }
}

pub type StatementResult = Result<Executed, Vec<Diagnostic>>;
