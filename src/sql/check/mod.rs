//! Offline checks: option types, value formats and combinations, turning a parsed statement
//! into a typed [`Plan`]. No I/O; every failure is a diagnostic pointing at the option.
//! The option pass (`typed_options`) is shared by every object's table; each object's rules
//! live in a module of their own.

mod connection;
mod job;
mod printable;

pub use job::{applicability, date_pattern, timestamp};

use super::ast::{
    Access, DropBehavior, GrantFilter, GrantObject, Grantee, Ident, OptionName, OptionSetting,
    Options, Privilege, Statement, StatementKind, Value,
};
use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::job_spec::{JobOption, JobSpec, JobValue};
use super::options::{OptionKey, ValueKind};
use super::span::Span;
use super::spec::{Change, ConnectionOption, ConnectionSpec};
use super::values::{S3Path, ValueError};
use super::words::MASK;

/// A statement after the offline checks, with typed values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    Create {
        or_replace: bool,
        if_not_exists: bool,
        name: Ident,
        spec: ConnectionSpec,
    },
    Alter {
        name: Ident,
        changes: Vec<(Change, Span)>,
    },
    Rename {
        name: Ident,
        new_name: Ident,
    },
    Drop {
        if_exists: bool,
        name: Ident,
        behavior: DropBehavior,
    },
    Validate {
        name: Ident,
    },
    ShowConnections {
        like: Option<String>,
    },
    Describe {
        name: Ident,
    },
    ShowCreate {
        name: Ident,
    },
    ShowTrustPolicy {
        connection: Option<Ident>,
    },
    ShowS3Policy {
        name: Ident,
    },
    ShowAwsProfile {
        connection: Ident,
        job: Option<Ident>,
    },
    ValidateAccess {
        name: Ident,
        location: S3Path,
        at: Span,
        access: Option<Access>,
    },
    ValidateJob {
        name: Ident,
    },
    CreateJob {
        or_replace: bool,
        if_not_exists: bool,
        name: Ident,
        connection: Ident,
        spec: JobSpec,
    },
    AlterJob {
        name: Ident,
        changes: Vec<(JobOption, JobValue, Span)>,
    },
    DropJob {
        if_exists: bool,
        name: Ident,
    },
    ShowJobs {
        like: Option<String>,
        connection: Option<Ident>,
    },
    DescribeJob {
        name: Ident,
    },
    ShowCreateJob {
        name: Ident,
    },
    /// `GRANT` / `REVOKE`: each role once, in the order written.
    Grant {
        revoke: bool,
        privilege: Privilege,
        object: GrantObject,
        roles: Vec<Grantee>,
    },
    ShowGrants {
        filter: Option<GrantFilter>,
    },
    ShowCredentialIssues {
        connection: Option<Ident>,
    },
}

impl Plan {
    /// Whether running the plan may write to the catalog (reads never create one).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Plan::Create { .. }
                | Plan::Alter { .. }
                | Plan::Rename { .. }
                | Plan::Drop { .. }
                | Plan::Validate { .. }
                | Plan::CreateJob { .. }
                | Plan::AlterJob { .. }
                | Plan::DropJob { .. }
                | Plan::ValidateJob { .. }
                | Plan::Grant { .. }
        )
    }

    /// Whether the plan changes connections or jobs, so that what it checks first must not
    /// change under it. Validations only append a record after calling AWS, which no other
    /// writer should wait for.
    pub fn changes_definitions(&self) -> bool {
        self.writes() && !matches!(self, Plan::Validate { .. } | Plan::ValidateJob { .. })
    }
}

/// The plan and any warnings, or every error found.
pub type Checked = Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Runs the offline rules on one statement.
pub fn check(stmt: &Statement) -> Checked {
    let mut diags = Vec::new();
    printable::check(stmt, &mut diags);
    rules(stmt, diags)
}

/// The rules a stored definition is read back with: all but the refusal of unprintable
/// characters, which a catalog written by an older connsql may hold (every format escapes
/// them when they are shown).
pub fn check_stored(stmt: &Statement) -> Checked {
    rules(stmt, Vec::new())
}

/// A connection's spec from its options, with the same rules as `CREATE S3 CONNECTION`: how
/// the catalog reads a stored connection back, so a damaged value is an error, never a spec.
pub fn connection_spec(
    options: &Options<ConnectionOption>,
) -> Result<ConnectionSpec, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let spec = connection::spec_of(options, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(spec)
    }
}

fn rules(stmt: &Statement, mut diags: Vec<Diagnostic>) -> Checked {
    let plan = match &stmt.kind {
        StatementKind::CreateConnection {
            or_replace,
            if_not_exists,
            name,
            options,
        } => Plan::Create {
            or_replace: *or_replace,
            if_not_exists: *if_not_exists,
            name: name.clone(),
            spec: connection::spec_of(options, &mut diags),
        },
        StatementKind::AlterConnection { name, set } => Plan::Alter {
            name: name.clone(),
            changes: connection::changes_of(set, &mut diags),
        },
        StatementKind::RenameConnection { name, new_name } => Plan::Rename {
            name: name.clone(),
            new_name: new_name.clone(),
        },
        StatementKind::DropConnection {
            if_exists,
            name,
            behavior,
        } => Plan::Drop {
            if_exists: *if_exists,
            name: name.clone(),
            behavior: *behavior,
        },
        StatementKind::ValidateConnection { name } => Plan::Validate { name: name.clone() },
        StatementKind::ShowConnections { like } => Plan::ShowConnections {
            like: like.as_ref().map(|l| l.value.clone()),
        },
        StatementKind::DescribeConnection { name } => Plan::Describe { name: name.clone() },
        StatementKind::ShowCreateConnection { name } => Plan::ShowCreate { name: name.clone() },
        StatementKind::ShowTrustPolicy { connection } => Plan::ShowTrustPolicy {
            connection: connection.clone(),
        },
        StatementKind::ShowS3Policy { name } => Plan::ShowS3Policy { name: name.clone() },
        StatementKind::ValidateAccess {
            name,
            location,
            access,
        } => match S3Path::parse(&location.value) {
            Ok(path) => Plan::ValidateAccess {
                name: name.clone(),
                location: path,
                at: location.span,
                access: *access,
            },
            Err(e) => {
                let mut d = Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    location.span,
                    e.message.clone(),
                );
                if let Some(help) = &e.help {
                    d = d.with_help(help.clone());
                }
                return Err(vec![d]);
            }
        },
        StatementKind::ValidateJob { name } => Plan::ValidateJob { name: name.clone() },
        StatementKind::ShowAwsProfile { connection, job } => Plan::ShowAwsProfile {
            connection: connection.clone(),
            job: job.clone(),
        },
        StatementKind::CreateJob(job) => match job::spec_of(job, &mut diags) {
            Some(spec) => Plan::CreateJob {
                or_replace: job.or_replace,
                if_not_exists: job.if_not_exists,
                name: job.name.clone(),
                connection: job.body.connection().clone(),
                spec,
            },
            None => return Err(diags),
        },
        StatementKind::AlterJob { name, set } => Plan::AlterJob {
            name: name.clone(),
            changes: job::changes_of(set, &mut diags),
        },
        StatementKind::DropJob { if_exists, name } => Plan::DropJob {
            if_exists: *if_exists,
            name: name.clone(),
        },
        StatementKind::ShowJobs { like, connection } => Plan::ShowJobs {
            like: like.as_ref().map(|l| l.value.clone()),
            connection: connection.clone(),
        },
        StatementKind::DescribeJob { name } => Plan::DescribeJob { name: name.clone() },
        StatementKind::ShowCreateJob { name } => Plan::ShowCreateJob { name: name.clone() },
        StatementKind::Grant {
            revoke,
            privilege,
            object,
            roles,
        } => {
            let mut once: Vec<Grantee> = Vec::with_capacity(roles.len());
            for role in roles {
                if !once.contains(role) {
                    once.push(role.clone());
                }
            }
            if !revoke && *privilege == Privilege::Admin && once.contains(&Grantee::Public) {
                diags.push(
                    Diagnostic::warning(
                        DiagnosticKind::PublicGrant,
                        stmt.span,
                        "every role that may connect to the server becomes an administrator",
                    )
                    .with_help("grant ADMIN to the roles of the people who manage connections"),
                );
            }
            Plan::Grant {
                revoke: *revoke,
                privilege: *privilege,
                object: object.clone(),
                roles: once,
            }
        }
        StatementKind::ShowGrants { filter } => Plan::ShowGrants {
            filter: filter.clone(),
        },
        StatementKind::ShowCredentialIssues { connection } => Plan::ShowCredentialIssues {
            connection: connection.clone(),
        },
    };
    // A secret given as the mask is missing only in appearance: say the one thing.
    if diags.iter().any(|d| d.kind == DiagnosticKind::MaskedSecret) {
        diags.retain(|d| d.kind != DiagnosticKind::MissingOption);
    }
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((plan, diags))
    }
}

/// A typed value, the span of its whole setting, and the span of its name.
pub(crate) type Typed<C> = (C, Span, Span);

/// Whether the options come from `CREATE` (all allowed) or `ALTER … SET` (editable only).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Create,
    Alter,
}

/// Types every option of any table: unknown names (with "did you mean"), repeats, options
/// `ALTER` may not change, and the redaction mask given as a secret are reported here; each
/// value goes to the object's `typed_value`.
pub(crate) fn typed_options<K: OptionKey, C>(
    options: &Options<K>,
    purpose: Purpose,
    diags: &mut Vec<Diagnostic>,
    special_unknown: impl Fn(&str, Span) -> Option<Diagnostic>,
    mut typed_value: impl FnMut(K, &OptionSetting<K>) -> Result<(C, Option<Diagnostic>), Diagnostic>,
) -> Vec<Typed<C>> {
    // A bit per option of the table (tables have far fewer than 128 options).
    debug_assert!(K::table().len() <= 128);
    let mut seen: u128 = 0;
    let mut out = Vec::with_capacity(options.0.len());
    for setting in &options.0 {
        let key = match &setting.name {
            OptionName::Known(key, _) => *key,
            OptionName::Unknown(name, span) => {
                diags.push(
                    special_unknown(name, *span)
                        .unwrap_or_else(|| unknown_option::<K>(name, *span)),
                );
                continue;
            }
        };
        let name_span = setting.name.span();
        if seen & (1 << key.index()) != 0 {
            diags.push(
                Diagnostic::error(
                    DiagnosticKind::RepeatedOption,
                    name_span,
                    format!("{} is given twice", key.name()),
                )
                .with_label("repeated here")
                .with_help(format!(
                    "keep one {0}; to change an existing {1} use ALTER … SET {0}",
                    key.name(),
                    K::OBJECT
                )),
            );
            continue;
        }
        seen |= 1 << key.index();
        if purpose == Purpose::Alter && !key.def().editable {
            diags.push(
                Diagnostic::error(
                    DiagnosticKind::NotEditable,
                    name_span,
                    format!("{} of a {} cannot be changed", key.name(), K::OBJECT),
                )
                .with_label("fixed when it was created")
                .with_help(format!(
                    "ALTER … SET may change {}; to change {} recreate it with CREATE OR REPLACE",
                    K::editable_names(),
                    key.name()
                )),
            );
            continue;
        }
        if key.is_secret()
            && let Value::String(s) = &setting.value
            && s.value == MASK
        {
            diags.push(masked_secret(key.name(), s.span));
            continue;
        }
        match typed_value(key, setting) {
            Ok((change, warning)) => {
                diags.extend(warning);
                out.push((change, setting.span(), name_span));
            }
            Err(diag) => diags.push(diag),
        }
    }
    out
}

/// The redaction mask given back as a secret: never stored, never sent.
fn masked_secret(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::MaskedSecret,
        span,
        format!("'{MASK}' is the redaction mask, not a value for {name}"),
    )
    .with_label("connsql prints secrets this way and never takes the mask back")
    .with_help(format!(
        "write the real value of {name}; to keep the stored one, leave {name} out and change the \
         other options with ALTER … SET"
    ))
}

fn unknown_option<K: OptionKey>(name: &str, span: Span) -> Diagnostic {
    let upper = name.to_ascii_uppercase();
    let diag = Diagnostic::error(
        DiagnosticKind::UnknownOption,
        span,
        format!("unknown option {upper}"),
    );
    match K::suggest(name) {
        Some(s) => diag.with_label(format!("did you mean {s}?")),
        None => diag.with_help(format!("{} options are {}", K::OBJECT, K::all_names())),
    }
}

/// The diagnostic for a malformed value, pointing at the bad character when there is one.
pub(crate) fn invalid(key: &str, value_span: Span, raw_len: usize, err: ValueError) -> Diagnostic {
    // The caret can sit on the character only when the literal has no '' escapes before it.
    let span = match err.at {
        Some(at) if value_span.len() == raw_len + 2 => {
            Span::new(value_span.start + 1 + at, value_span.start + 2 + at)
        }
        _ => value_span,
    };
    let mut diag = Diagnostic::error(
        DiagnosticKind::InvalidValue,
        span,
        format!("invalid {key}: {}", err.message),
    );
    if let Some(help) = err.help {
        diag = diag.with_help(help);
    }
    diag
}

/// A value whose shape does not fit its option.
pub(crate) fn wrong_type<K: OptionKey>(key: K, value: &Value) -> Diagnostic {
    let kind = key.def().kind;
    let diag = Diagnostic::error(
        DiagnosticKind::WrongValueType,
        value.span(),
        format!(
            "{} takes {}, not {}",
            key.name(),
            kind.describe(),
            value.shape()
        ),
    );
    // A string in double quotes, as other languages write it. The value itself is not
    // repeated: it may be a secret.
    if matches!(value, Value::Quoted(..))
        && matches!(kind, ValueKind::String | ValueKind::StringList)
    {
        return diag.with_help(format!(
            "write the value in single quotes, {} = '…': in SQL double quotes make a name",
            key.name()
        ));
    }
    diag
}

pub(crate) fn find<C>(changes: &[Typed<C>], pred: impl Fn(&C) -> bool) -> Option<&Typed<C>> {
    changes.iter().find(|(c, _, _)| pred(c))
}
