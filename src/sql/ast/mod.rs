//! The statements of the connection dialect, and their printing back to canonical SQL.
//!
//! `Display` writes canonical SQL: keywords in upper case, options in the option table's order,
//! identifiers quoted only when they must be. `{:#}` puts each option on its own line.
//! [`Redacted`] prints the same with every secret value masked.

mod job;

use std::fmt;

pub use job::{CreateJob, JobStatementBody};

pub use super::name::{Ident, TableName, write_ident};
pub use super::setting::{
    GroupSetting, OptionName, OptionSetting, Options, StringLit, Transformation, Value,
};

use super::job_spec::JobOption;
use super::span::Span;
use super::spec::ConnectionOption;

/// What `VALIDATE CONNECTION … ON … FOR` proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
    List,
    Delete,
    All,
}

impl Access {
    pub const ALL: [Access; 5] = [
        Access::Read,
        Access::Write,
        Access::List,
        Access::Delete,
        Access::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "READ",
            Access::Write => "WRITE",
            Access::List => "LIST",
            Access::Delete => "DELETE",
            Access::All => "ALL",
        }
    }
}

/// What `GRANT` gives and `REVOKE` takes (ext): running the catalog, or using it (and one
/// connection of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Privilege {
    Admin,
    Usage,
}

impl Privilege {
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Admin => "ADMIN",
            Privilege::Usage => "USAGE",
        }
    }
}

/// What a privilege is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantObject {
    Catalog,
    Connection(Ident),
}

impl fmt::Display for GrantObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantObject::Catalog => f.write_str("CATALOG"),
            GrantObject::Connection(name) => write!(f, "CONNECTION {name}"),
        }
    }
}

/// A role of the catalog's server, or `PUBLIC`: every role that may connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grantee {
    Public,
    Role(Ident),
}

impl Grantee {
    /// The name the server knows: a role's name, or `public`.
    pub fn name(&self) -> &str {
        match self {
            Grantee::Public => "public",
            Grantee::Role(role) => &role.value,
        }
    }
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(role) => write!(f, "{role}"),
        }
    }
}

/// Which grants `SHOW GRANTS` lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantFilter {
    On(GrantObject),
    To(Grantee),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// `CREATE [OR REPLACE] S3 CONNECTION [IF NOT EXISTS] name { option }`
    CreateConnection {
        or_replace: bool,
        if_not_exists: bool,
        name: Ident,
        options: Options<ConnectionOption>,
    },
    /// `ALTER S3 CONNECTION name SET option { SET option }`
    AlterConnection {
        name: Ident,
        set: Options<ConnectionOption>,
    },
    /// `ALTER [S3] CONNECTION name RENAME TO new_name` (ext)
    RenameConnection { name: Ident, new_name: Ident },
    /// `DROP [S3] CONNECTION [IF EXISTS] name [RESTRICT | CASCADE]`
    DropConnection {
        if_exists: bool,
        name: Ident,
        behavior: DropBehavior,
    },
    /// `VALIDATE CONNECTION name` (ext)
    ValidateConnection { name: Ident },
    /// `VALIDATE CONNECTION name ON 's3://…' [FOR READ | WRITE | LIST | DELETE | ALL]` (ext)
    ValidateAccess {
        name: Ident,
        location: StringLit,
        access: Option<Access>,
    },
    /// `VALIDATE JOB name` (ext)
    ValidateJob { name: Ident },
    /// `SHOW CONNECTIONS [LIKE 'pattern']` (ext)
    ShowConnections { like: Option<StringLit> },
    /// `DESCRIBE CONNECTION name` (ext)
    DescribeConnection { name: Ident },
    /// `SHOW CREATE CONNECTION name` (ext)
    ShowCreateConnection { name: Ident },
    /// `SHOW TRUST POLICY [FOR CONNECTION name]` (ext)
    ShowTrustPolicy { connection: Option<Ident> },
    /// `SHOW S3 POLICY FOR CONNECTION name` (ext)
    ShowS3Policy { name: Ident },
    /// `SHOW AWS PROFILE FOR CONNECTION name [JOB job]` (ext)
    ShowAwsProfile {
        connection: Ident,
        job: Option<Ident>,
    },
    /// `CREATE [OR REPLACE] [SYNC] JOB [IF NOT EXISTS] name … AS …`
    CreateJob(Box<CreateJob>),
    /// `ALTER JOB name SET option { SET option }`
    AlterJob {
        name: Ident,
        set: Options<JobOption>,
    },
    /// `DROP JOB [IF EXISTS] name`
    DropJob { if_exists: bool, name: Ident },
    /// `SHOW JOBS [LIKE 'pattern'] [FOR CONNECTION name]`
    ShowJobs {
        like: Option<StringLit>,
        connection: Option<Ident>,
    },
    /// `DESCRIBE JOB name` (ext)
    DescribeJob { name: Ident },
    /// `SHOW CREATE JOB name` (ext)
    ShowCreateJob { name: Ident },
    /// `GRANT privilege ON object TO role, …` / `REVOKE privilege ON object FROM role, …` (ext)
    Grant {
        revoke: bool,
        privilege: Privilege,
        object: GrantObject,
        roles: Vec<Grantee>,
    },
    /// `SHOW GRANTS [ON CONNECTION name | ON CATALOG | TO role]` (ext)
    ShowGrants { filter: Option<GrantFilter> },
    /// `SHOW CREDENTIAL ISSUES [FOR CONNECTION name]` (ext)
    ShowCredentialIssues { connection: Option<Ident> },
}

/// What `DROP CONNECTION` does to the jobs that use the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DropBehavior {
    /// Nothing written: refuse, as `RESTRICT` does.
    #[default]
    Default,
    Restrict,
    /// Drop them too.
    Cascade,
}

/// One statement and the span of its text, from its first keyword to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

impl Statement {
    pub fn new(kind: StatementKind) -> Self {
        Statement {
            kind,
            span: Span::default(),
        }
    }

    /// The span of option `key` (name to value), when the statement sets it.
    pub fn option_span(&self, key: ConnectionOption) -> Option<Span> {
        match &self.kind {
            StatementKind::CreateConnection { options, .. } => options.get(key),
            StatementKind::AlterConnection { set, .. } => set.get(key),
            _ => None,
        }
        .map(OptionSetting::span)
    }

    /// The connection the statement is about, if any (a job's, for job statements).
    pub fn connection_name(&self) -> Option<&Ident> {
        use StatementKind::*;
        match &self.kind {
            CreateConnection { name, .. }
            | AlterConnection { name, .. }
            | RenameConnection { name, .. }
            | DropConnection { name, .. }
            | ValidateConnection { name }
            | ValidateAccess { name, .. }
            | DescribeConnection { name }
            | ShowCreateConnection { name }
            | ShowS3Policy { name } => Some(name),
            ShowAwsProfile { connection, .. } => Some(connection),
            ShowTrustPolicy { connection }
            | ShowJobs { connection, .. }
            | ShowCredentialIssues { connection } => connection.as_ref(),
            Grant {
                object: GrantObject::Connection(name),
                ..
            }
            | ShowGrants {
                filter: Some(GrantFilter::On(GrantObject::Connection(name))),
            } => Some(name),
            CreateJob(job) => Some(job.body.connection()),
            ShowConnections { .. }
            | Grant { .. }
            | ShowGrants { .. }
            | AlterJob { .. }
            | DropJob { .. }
            | DescribeJob { .. }
            | ValidateJob { .. }
            | ShowCreateJob { .. } => None,
        }
    }

    /// The job the statement is about, if any.
    pub fn job_name(&self) -> Option<&Ident> {
        use StatementKind::*;
        match &self.kind {
            CreateJob(job) => Some(&job.name),
            AlterJob { name, .. }
            | DropJob { name, .. }
            | DescribeJob { name }
            | ValidateJob { name }
            | ShowCreateJob { name } => Some(name),
            _ => None,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, redact: bool) -> fmt::Result {
        use StatementKind::*;
        let pretty = f.alternate();
        let sep = if pretty { "\n    " } else { " " };
        match &self.kind {
            CreateConnection {
                or_replace,
                if_not_exists,
                name,
                options,
            } => {
                f.write_str("CREATE ")?;
                if *or_replace {
                    f.write_str("OR REPLACE ")?;
                }
                f.write_str("S3 CONNECTION ")?;
                if *if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                write!(f, "{name}")?;
                options.write(f, "", sep, redact)
            }
            AlterConnection { name, set } => {
                write!(f, "ALTER S3 CONNECTION {name}")?;
                set.write(f, "SET ", sep, redact)
            }
            RenameConnection { name, new_name } => {
                write!(f, "ALTER CONNECTION {name} RENAME TO {new_name}")
            }
            DropConnection {
                if_exists,
                name,
                behavior,
            } => {
                write!(
                    f,
                    "DROP CONNECTION {}{name}{}",
                    if *if_exists { "IF EXISTS " } else { "" },
                    match behavior {
                        DropBehavior::Default => "",
                        DropBehavior::Restrict => " RESTRICT",
                        DropBehavior::Cascade => " CASCADE",
                    }
                )
            }
            ValidateConnection { name } => write!(f, "VALIDATE CONNECTION {name}"),
            ValidateAccess {
                name,
                location,
                access,
            } => {
                write!(f, "VALIDATE CONNECTION {name} ON {location}")?;
                match access {
                    Some(a) => write!(f, " FOR {}", a.as_str()),
                    None => Ok(()),
                }
            }
            ValidateJob { name } => write!(f, "VALIDATE JOB {name}"),
            ShowConnections { like: None } => f.write_str("SHOW CONNECTIONS"),
            ShowConnections {
                like: Some(pattern),
            } => write!(f, "SHOW CONNECTIONS LIKE {pattern}"),
            DescribeConnection { name } => write!(f, "DESCRIBE CONNECTION {name}"),
            ShowCreateConnection { name } => write!(f, "SHOW CREATE CONNECTION {name}"),
            ShowTrustPolicy { connection: None } => f.write_str("SHOW TRUST POLICY"),
            ShowTrustPolicy {
                connection: Some(name),
            } => write!(f, "SHOW TRUST POLICY FOR CONNECTION {name}"),
            ShowS3Policy { name } => write!(f, "SHOW S3 POLICY FOR CONNECTION {name}"),
            ShowAwsProfile { connection, job } => {
                write!(f, "SHOW AWS PROFILE FOR CONNECTION {connection}")?;
                match job {
                    Some(job) => write!(f, " JOB {job}"),
                    None => Ok(()),
                }
            }
            CreateJob(job) => job.write(f, redact),
            AlterJob { name, set } => {
                write!(f, "ALTER JOB {name}")?;
                set.write(f, "SET ", sep, redact)
            }
            DropJob { if_exists, name } => write!(
                f,
                "DROP JOB {}{name}",
                if *if_exists { "IF EXISTS " } else { "" }
            ),
            ShowJobs { like, connection } => {
                f.write_str("SHOW JOBS")?;
                if let Some(pattern) = like {
                    write!(f, " LIKE {pattern}")?;
                }
                if let Some(name) = connection {
                    write!(f, " FOR CONNECTION {name}")?;
                }
                Ok(())
            }
            DescribeJob { name } => write!(f, "DESCRIBE JOB {name}"),
            ShowCreateJob { name } => write!(f, "SHOW CREATE JOB {name}"),
            Grant {
                revoke,
                privilege,
                object,
                roles,
            } => {
                let (verb, to) = if *revoke {
                    ("REVOKE", "FROM")
                } else {
                    ("GRANT", "TO")
                };
                write!(f, "{verb} {} ON {object} {to} ", privilege.as_str())?;
                for (i, role) in roles.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{role}")?;
                }
                Ok(())
            }
            ShowGrants { filter } => {
                f.write_str("SHOW GRANTS")?;
                match filter {
                    None => Ok(()),
                    Some(GrantFilter::On(object)) => write!(f, " ON {object}"),
                    Some(GrantFilter::To(role)) => write!(f, " TO {role}"),
                }
            }
            ShowCredentialIssues { connection } => {
                f.write_str("SHOW CREDENTIAL ISSUES")?;
                match connection {
                    Some(name) => write!(f, " FOR CONNECTION {name}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

/// Prints a statement with every secret value as `'********'`: the only form that reaches
/// history, logs and `SHOW CREATE`.
pub struct Redacted<'a>(pub &'a Statement);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, true)
    }
}

impl Redacted<'_> {
    /// The one-line redacted text, as history records it: written into a string sized from the
    /// statement's source once, rather than grown piece by piece (a batch records every
    /// statement).
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(self.0.span.len() + 16);
        // Writing into a String cannot fail.
        let _ = write!(out, "{self}");
        out
    }
}
