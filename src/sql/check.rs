//! Offline checks: option types, value formats and combinations, turning a parsed statement
//! into a typed [`Plan`]. No I/O; every failure is a diagnostic pointing at the option.

use super::ast::{Ident, OptionName, OptionSetting, Options, Statement, StatementKind, Value};
use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::options::{OptionKey, ValueKind, suggest};
use super::span::Span;
use super::values::{
    self, AccessKeyId, ExternalId, KmsKeyArn, RoleArn, S3Path, Secret, ValueError,
};

/// How a connection authenticates to AWS.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// The base credentials of the machine running connsql.
    Default,
    /// Assume `arn`. `external_id` is `None` only before the session fills in the catalog's.
    Role {
        arn: RoleArn,
        external_id: Option<ExternalId>,
    },
    Keys {
        access_key_id: AccessKeyId,
        secret_access_key: Secret,
    },
}

impl Credentials {
    /// `"role"`, `"keys"` or `"default"`, as SHOW CONNECTIONS prints it.
    pub fn method(&self) -> &'static str {
        match self {
            Credentials::Default => "default",
            Credentials::Role { .. } => "role",
            Credentials::Keys { .. } => "keys",
        }
    }
}

/// A connection's checked options: what the catalog stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSpec {
    pub credentials: Credentials,
    pub path_display_filters: Vec<S3Path>,
    pub read_only: bool,
    pub encryption_kms_key: Option<KmsKeyArn>,
    pub encryption_customer_managed_key: Option<Secret>,
    pub comment: Option<String>,
}

impl Default for ConnectionSpec {
    fn default() -> Self {
        ConnectionSpec {
            credentials: Credentials::Default,
            path_display_filters: Vec::new(),
            read_only: false,
            encryption_kms_key: None,
            encryption_customer_managed_key: None,
            comment: None,
        }
    }
}

/// One option's checked value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    AwsRole(RoleArn),
    ExternalId(ExternalId),
    AwsAccessKeyId(AccessKeyId),
    AwsSecretAccessKey(Secret),
    PathDisplayFilter(S3Path),
    PathDisplayFilters(Vec<S3Path>),
    ReadOnly(bool),
    EncryptionKmsKey(KmsKeyArn),
    EncryptionCustomerManagedKey(Secret),
    Comment(String),
}

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
}

/// The plan and any warnings, or every error found.
pub type Checked = Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Runs the offline rules of SPEC §1 on one statement.
pub fn check(stmt: &Statement) -> Checked {
    let mut diags = Vec::new();
    let plan = match &stmt.kind {
        StatementKind::CreateConnection {
            or_replace,
            if_not_exists,
            name,
            options,
        } => {
            let changes = typed_options(options, &mut diags);
            let spec = spec_from(changes, &mut diags);
            Plan::Create {
                or_replace: *or_replace,
                if_not_exists: *if_not_exists,
                name: name.clone(),
                spec,
            }
        }
        StatementKind::AlterConnection { name, set } => {
            let changes = typed_options(set, &mut diags);
            alter_rules(&changes, &mut diags);
            Plan::Alter {
                name: name.clone(),
                changes: changes.into_iter().map(|(c, s, _)| (c, s)).collect(),
            }
        }
        StatementKind::RenameConnection { name, new_name } => Plan::Rename {
            name: name.clone(),
            new_name: new_name.clone(),
        },
        StatementKind::DropConnection { if_exists, name } => Plan::Drop {
            if_exists: *if_exists,
            name: name.clone(),
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
    };
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((plan, diags))
    }
}

/// A typed change, the span of its whole setting, and the span of its name.
type Typed = (Change, Span, Span);

/// Types every option, reporting unknown names, repeats and malformed values.
fn typed_options(options: &Options, diags: &mut Vec<Diagnostic>) -> Vec<Typed> {
    let mut seen: [bool; super::options::OPTIONS.len()] = [false; super::options::OPTIONS.len()];
    let mut out = Vec::with_capacity(options.0.len());
    for setting in &options.0 {
        let key = match &setting.name {
            OptionName::Known(key, _) => *key,
            OptionName::Unknown(name, span) => {
                diags.push(unknown_option(name, *span));
                continue;
            }
        };
        let name_span = setting.name.span();
        if seen[key as usize] {
            diags.push(
                Diagnostic::error(
                    DiagnosticKind::RepeatedOption,
                    name_span,
                    format!("{key} is given twice"),
                )
                .with_label("repeated here")
                .with_help(format!(
                    "keep one {key}; to change an existing connection use ALTER … SET {key}"
                )),
            );
            continue;
        }
        seen[key as usize] = true;
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

fn unknown_option(name: &str, span: Span) -> Diagnostic {
    let upper = name.to_ascii_uppercase();
    let diag = Diagnostic::error(
        DiagnosticKind::UnknownOption,
        span,
        format!("unknown option {upper}"),
    );
    if upper == "REGION" {
        return diag
            .with_label("S3 connections have no region")
            .with_help("REGION belongs to GLUE_CATALOG and KINESIS connections; remove it");
    }
    match suggest(name) {
        Some(s) => diag.with_label(format!("did you mean {s}?")),
        None => diag.with_help(
            "S3 connection options are AWS_ROLE, EXTERNAL_ID, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
             PATH_DISPLAY_FILTER(S), READ_ONLY, ENCRYPTION_KMS_KEY, ENCRYPTION_CUSTOMER_MANAGED_KEY, COMMENT",
        ),
    }
}

/// The diagnostic for a malformed value, pointing at the bad character when there is one.
fn invalid(key: OptionKey, value_span: Span, raw_len: usize, err: ValueError) -> Diagnostic {
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

fn typed_value(
    key: OptionKey,
    setting: &OptionSetting,
) -> Result<(Change, Option<Diagnostic>), Diagnostic> {
    let def = key.def();
    let wrong_type = |found: &str| {
        let mut d = Diagnostic::error(
            DiagnosticKind::WrongValueType,
            setting.value.span(),
            format!("{key} takes {}, not {found}", def.kind.describe()),
        );
        d = match (key, &setting.value) {
            (OptionKey::ReadOnly, Value::String(s))
                if s.value.eq_ignore_ascii_case("true")
                    || s.value.eq_ignore_ascii_case("false") =>
            {
                d.with_help(format!("write {key} = {}", s.value.to_ascii_uppercase()))
            }
            (OptionKey::ReadOnly, _) => d.with_help(format!("write {key} = TRUE or {key} = FALSE")),
            (OptionKey::PathDisplayFilter, Value::List(..)) => {
                d.with_help("for several paths use PATH_DISPLAY_FILTERS = ('s3://…', 's3://…')")
            }
            (OptionKey::PathDisplayFilters, Value::String(s)) => {
                d.with_help(format!("write PATH_DISPLAY_FILTERS = ('{}')", s.value))
            }
            _ => d,
        };
        d
    };
    let found = match &setting.value {
        Value::String(_) => "a string",
        Value::List(..) => "a list",
        Value::Bool(..) => "a boolean",
        Value::Word(..) => "a bare word",
        Value::Number(..) => "a number",
    };
    let text = match (&setting.value, def.kind) {
        (Value::String(s), ValueKind::String) => s,
        (Value::List(items, _), ValueKind::StringList) => {
            let mut paths = Vec::with_capacity(items.len());
            for item in items {
                paths.push(
                    S3Path::parse(&item.value)
                        .map_err(|e| invalid(key, item.span, item.value.len(), e))?,
                );
            }
            return Ok((Change::PathDisplayFilters(paths), None));
        }
        (Value::Bool(b, _), ValueKind::Boolean) => return Ok((Change::ReadOnly(*b), None)),
        _ => return Err(wrong_type(found)),
    };
    let (value, span) = (text.value.as_str(), text.span);
    let bad = |e: ValueError| invalid(key, span, value.len(), e);
    let change = match key {
        OptionKey::AwsRole => Change::AwsRole(RoleArn::parse(value).map_err(bad)?),
        OptionKey::ExternalId => Change::ExternalId(ExternalId::parse(value).map_err(bad)?),
        OptionKey::AwsAccessKeyId => {
            Change::AwsAccessKeyId(AccessKeyId::parse(value).map_err(bad)?)
        }
        OptionKey::AwsSecretAccessKey if value.is_empty() => {
            return Err(Diagnostic::error(
                DiagnosticKind::InvalidValue,
                span,
                "the secret access key is empty",
            ));
        }
        OptionKey::AwsSecretAccessKey => Change::AwsSecretAccessKey(Secret::new(value)),
        OptionKey::PathDisplayFilter => {
            Change::PathDisplayFilter(S3Path::parse(value).map_err(bad)?)
        }
        OptionKey::EncryptionKmsKey => {
            let (arn, alias) = KmsKeyArn::parse(value).map_err(bad)?;
            let warning = alias.then(|| {
                Diagnostic::warning(
                    DiagnosticKind::KmsAlias,
                    span,
                    "ENCRYPTION_KMS_KEY names a key alias",
                )
                .with_help("an alias can be moved to another key later; the key ARN pins the key")
            });
            return Ok((Change::EncryptionKmsKey(arn), warning));
        }
        OptionKey::EncryptionCustomerManagedKey => {
            Change::EncryptionCustomerManagedKey(values::customer_managed_key(value).map_err(bad)?)
        }
        OptionKey::Comment => Change::Comment(value.to_string()),
        OptionKey::PathDisplayFilters | OptionKey::ReadOnly => return Err(wrong_type(found)),
    };
    Ok((change, None))
}

fn find(changes: &[Typed], pred: impl Fn(&Change) -> bool) -> Option<&Typed> {
    changes.iter().find(|(c, _, _)| pred(c))
}

/// The combination rules shared by CREATE and ALTER.
fn combination_rules(changes: &[Typed], diags: &mut Vec<Diagnostic>) {
    let role = find(changes, |c| matches!(c, Change::AwsRole(_)));
    let external = find(changes, |c| matches!(c, Change::ExternalId(_)));
    let key_id = find(changes, |c| matches!(c, Change::AwsAccessKeyId(_)));
    let secret = find(changes, |c| matches!(c, Change::AwsSecretAccessKey(_)));
    let role_side = role.or(external);
    let key_side = key_id.or(secret);
    if let (Some(_), Some((_, _, key_span))) = (role_side, key_side) {
        diags.push(
            Diagnostic::error(
                DiagnosticKind::ConflictingOptions,
                *key_span,
                "a connection uses a role or access keys, not both",
            )
            .with_label("access keys given together with AWS_ROLE/EXTERNAL_ID")
            .with_help(
                "keep AWS_ROLE and EXTERNAL_ID, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ),
        );
    }
    match (key_id, secret) {
        (Some((_, _, span)), None) => diags.push(
            Diagnostic::error(
                DiagnosticKind::MissingOption,
                *span,
                "AWS_ACCESS_KEY_ID needs AWS_SECRET_ACCESS_KEY",
            )
            .with_help("add AWS_SECRET_ACCESS_KEY = '<secret>' next to it"),
        ),
        (None, Some((_, _, span))) => diags.push(
            Diagnostic::error(
                DiagnosticKind::MissingOption,
                *span,
                "AWS_SECRET_ACCESS_KEY needs AWS_ACCESS_KEY_ID",
            )
            .with_help("add AWS_ACCESS_KEY_ID = '<key id>' next to it"),
        ),
        _ => {}
    }
    let single = find(changes, |c| matches!(c, Change::PathDisplayFilter(_)));
    let list = find(changes, |c| matches!(c, Change::PathDisplayFilters(_)));
    if let (Some(_), Some((_, _, span))) = (single, list) {
        diags.push(
            Diagnostic::error(
                DiagnosticKind::ConflictingOptions,
                *span,
                "PATH_DISPLAY_FILTER and PATH_DISPLAY_FILTERS cannot be used together",
            )
            .with_help("put every path in PATH_DISPLAY_FILTERS = ('s3://…', 's3://…')"),
        );
    }
}

fn spec_from(mut changes: Vec<Typed>, diags: &mut Vec<Diagnostic>) -> ConnectionSpec {
    combination_rules(&changes, diags);
    if let (Some((_, _, span)), None) = (
        find(&changes, |c| matches!(c, Change::ExternalId(_))),
        find(&changes, |c| matches!(c, Change::AwsRole(_))),
    ) {
        diags.push(
            Diagnostic::error(DiagnosticKind::MissingOption, *span, "EXTERNAL_ID needs AWS_ROLE")
                .with_help("the external ID is sent when assuming a role: add AWS_ROLE = 'arn:aws:iam::<account>:role/<name>'"),
        );
    }
    // Options may come in any order; the method's main option goes first so that its
    // partner (EXTERNAL_ID, the secret) lands on it.
    changes.sort_by_key(|(c, _, _)| !starts_method(c));
    let mut spec = ConnectionSpec::default();
    for (change, _, _) in changes {
        apply_one(&mut spec, change);
    }
    spec
}

/// Whether the change picks the credential method (its partner options then attach to it).
fn starts_method(change: &Change) -> bool {
    matches!(change, Change::AwsRole(_) | Change::AwsAccessKeyId(_))
}

fn alter_rules(changes: &[Typed], diags: &mut Vec<Diagnostic>) {
    combination_rules(changes, diags);
}

/// Sets one option; credentials of the other method are cleared (SPEC §1, ALTER semantics).
fn apply_one(spec: &mut ConnectionSpec, change: Change) {
    match change {
        Change::AwsRole(arn) => {
            let external_id = match std::mem::replace(&mut spec.credentials, Credentials::Default) {
                Credentials::Role { external_id, .. } => external_id,
                _ => None,
            };
            spec.credentials = Credentials::Role { arn, external_id };
        }
        Change::ExternalId(id) => {
            if let Credentials::Role { external_id, .. } = &mut spec.credentials {
                *external_id = Some(id);
            }
        }
        Change::AwsAccessKeyId(id) => {
            let secret = match &spec.credentials {
                Credentials::Keys {
                    secret_access_key, ..
                } => secret_access_key.clone(),
                _ => Secret::new(""),
            };
            spec.credentials = Credentials::Keys {
                access_key_id: id,
                secret_access_key: secret,
            };
        }
        Change::AwsSecretAccessKey(secret) => {
            if let Credentials::Keys {
                secret_access_key, ..
            } = &mut spec.credentials
            {
                *secret_access_key = secret;
            }
        }
        Change::PathDisplayFilter(path) => spec.path_display_filters = vec![path],
        Change::PathDisplayFilters(paths) => spec.path_display_filters = paths,
        Change::ReadOnly(b) => spec.read_only = b,
        Change::EncryptionKmsKey(k) => spec.encryption_kms_key = Some(k),
        Change::EncryptionCustomerManagedKey(k) => spec.encryption_customer_managed_key = Some(k),
        Change::Comment(c) => spec.comment = Some(c),
    }
}

impl ConnectionSpec {
    /// The spec after `ALTER … SET` of `changes`, or why the result is not a valid connection.
    ///
    /// Setting AWS_ROLE on a key connection (or keys on a role connection) switches method and
    /// clears the other's options; EXTERNAL_ID alone only fits a connection that has a role.
    pub fn altered(&self, changes: &[(Change, Span)]) -> Result<ConnectionSpec, Diagnostic> {
        let mut next = self.clone();
        // The role comes first so that an EXTERNAL_ID in the same statement lands on it.
        let mut ordered: Vec<&(Change, Span)> = changes.iter().collect();
        ordered.sort_by_key(|(c, _)| !starts_method(c));
        for (change, span) in ordered {
            match (change, &next.credentials) {
                (Change::ExternalId(_), Credentials::Role { .. }) => {}
                (Change::ExternalId(_), _) => {
                    return Err(Diagnostic::error(
                        DiagnosticKind::MissingOption,
                        *span,
                        "EXTERNAL_ID needs AWS_ROLE, and this connection has no role",
                    )
                    .with_help("also SET AWS_ROLE = 'arn:aws:iam::<account>:role/<name>'"));
                }
                (Change::AwsSecretAccessKey(_), Credentials::Keys { .. }) => {}
                (Change::AwsSecretAccessKey(_), _) => {
                    return Err(Diagnostic::error(
                        DiagnosticKind::MissingOption,
                        *span,
                        "AWS_SECRET_ACCESS_KEY needs AWS_ACCESS_KEY_ID, and this connection has no access key",
                    )
                    .with_help("also SET AWS_ACCESS_KEY_ID = '<key id>'"));
                }
                _ => {}
            }
            apply_one(&mut next, change.clone());
        }
        if let Credentials::Keys {
            secret_access_key, ..
        } = &next.credentials
            && secret_access_key.expose().is_empty()
            && let Some((_, span)) = changes
                .iter()
                .find(|(c, _)| matches!(c, Change::AwsAccessKeyId(_)))
        {
            return Err(Diagnostic::error(
                DiagnosticKind::MissingOption,
                *span,
                "AWS_ACCESS_KEY_ID needs AWS_SECRET_ACCESS_KEY",
            )
            .with_help("also SET AWS_SECRET_ACCESS_KEY = '<secret>'"));
        }
        Ok(next)
    }

    /// The options that recreate this connection, in canonical order.
    pub fn to_options(&self) -> Options {
        use super::ast::StringLit;
        let string = |s: &str| Value::String(StringLit::new(s));
        let mut out = Vec::new();
        match &self.credentials {
            Credentials::Default => {}
            Credentials::Role { arn, external_id } => {
                out.push(OptionSetting::new(OptionKey::AwsRole, string(arn.as_str())));
                if let Some(id) = external_id {
                    out.push(OptionSetting::new(
                        OptionKey::ExternalId,
                        string(id.as_str()),
                    ));
                }
            }
            Credentials::Keys {
                access_key_id,
                secret_access_key,
            } => {
                out.push(OptionSetting::new(
                    OptionKey::AwsAccessKeyId,
                    string(access_key_id.as_str()),
                ));
                out.push(OptionSetting::new(
                    OptionKey::AwsSecretAccessKey,
                    string(secret_access_key.expose()),
                ));
            }
        }
        if !self.path_display_filters.is_empty() {
            let items = self
                .path_display_filters
                .iter()
                .map(|p| StringLit::new(p.to_string()))
                .collect();
            out.push(OptionSetting::new(
                OptionKey::PathDisplayFilters,
                Value::List(items, Span::default()),
            ));
        }
        if self.read_only {
            out.push(OptionSetting::new(
                OptionKey::ReadOnly,
                Value::Bool(true, Span::default()),
            ));
        }
        if let Some(k) = &self.encryption_kms_key {
            out.push(OptionSetting::new(
                OptionKey::EncryptionKmsKey,
                string(k.as_str()),
            ));
        }
        if let Some(k) = &self.encryption_customer_managed_key {
            out.push(OptionSetting::new(
                OptionKey::EncryptionCustomerManagedKey,
                string(k.expose()),
            ));
        }
        if let Some(c) = &self.comment {
            out.push(OptionSetting::new(OptionKey::Comment, string(c)));
        }
        Options(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse;

    /// Checks the single statement in `input`; `expect` lists the diagnostic codes, or is empty.
    fn check_codes(input: &str, expect: &[&str]) {
        let (stmts, diags) = parse(input);
        assert!(diags.is_empty(), "parse failed: {diags:?}");
        let codes: Vec<&str> = match check(&stmts[0]) {
            Ok((_, warnings)) => warnings.iter().map(|d| d.kind.code()).collect(),
            Err(errors) => errors.iter().map(|d| d.kind.code()).collect(),
        };
        assert_eq!(codes, expect, "{input}");
    }

    const ROLE: &str = "AWS_ROLE = 'arn:aws:iam::123456789012:role/r'";

    #[test]
    fn combinations() {
        check_codes(
            &format!("CREATE S3 CONNECTION c {ROLE} EXTERNAL_ID = 'ab'"),
            &[],
        );
        check_codes(
            "CREATE S3 CONNECTION c EXTERNAL_ID = 'ext-1'",
            &["missing-option"],
        );
        check_codes(
            "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
            &["missing-option"],
        );
        check_codes(
            &format!(
                "CREATE S3 CONNECTION c {ROLE} AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 's'"
            ),
            &["conflicting-options"],
        );
        check_codes(
            "CREATE S3 CONNECTION c PATH_DISPLAY_FILTER = 's3://aaa/' PATH_DISPLAY_FILTERS = ('s3://bbb/')",
            &["conflicting-options"],
        );
        check_codes(
            "CREATE S3 CONNECTION c COMMENT = 'a' COMMENT = 'b'",
            &["repeated-option"],
        );
    }

    #[test]
    fn types_and_values() {
        check_codes(
            "CREATE S3 CONNECTION c READ_ONLY = 'true'",
            &["wrong-value-type"],
        );
        check_codes(
            "CREATE S3 CONNECTION c READ_ONLY = YES",
            &["wrong-value-type"],
        );
        check_codes(
            "CREATE S3 CONNECTION c REGION = 'us-east-1'",
            &["unknown-option"],
        );
        check_codes(
            "CREATE S3 CONNECTION c ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:alias/a'",
            &["kms-alias"],
        );
        check_codes(
            &format!("CREATE S3 CONNECTION c {ROLE} EXTERNAL_ID = 'has space'"),
            &["invalid-value"],
        );
    }

    #[test]
    fn caret_on_the_bad_character() {
        let text = format!("CREATE S3 CONNECTION c {ROLE} EXTERNAL_ID = 'has space'");
        let (stmts, _) = parse(&text);
        let errors = check(&stmts[0]).unwrap_err();
        assert_eq!(&text[errors[0].span.range()], " ");
    }

    #[test]
    fn partners_attach_in_any_order() {
        let (stmts, _) = parse(&format!("CREATE S3 CONNECTION c EXTERNAL_ID = 'ab' {ROLE}"));
        let Ok((Plan::Create { spec, .. }, _)) = check(&stmts[0]) else {
            panic!()
        };
        assert!(
            matches!(spec.credentials, Credentials::Role { external_id: Some(ref id), .. } if id.as_str() == "ab")
        );
        let (stmts, _) = parse(
            "CREATE S3 CONNECTION c AWS_SECRET_ACCESS_KEY = 's' AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
        );
        let Ok((Plan::Create { spec, .. }, _)) = check(&stmts[0]) else {
            panic!()
        };
        assert!(
            matches!(spec.credentials, Credentials::Keys { ref secret_access_key, .. } if secret_access_key.expose() == "s")
        );
    }

    #[test]
    fn alter_switches_method() {
        let (stmts, _) = parse(&format!("CREATE S3 CONNECTION c {ROLE} EXTERNAL_ID = 'ab'"));
        let Ok((Plan::Create { spec, .. }, _)) = check(&stmts[0]) else {
            panic!()
        };
        let (stmts, _) = parse(
            "ALTER S3 CONNECTION c SET AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' SET AWS_SECRET_ACCESS_KEY = 'x'",
        );
        let Ok((Plan::Alter { changes, .. }, _)) = check(&stmts[0]) else {
            panic!()
        };
        let next = spec.altered(&changes).unwrap();
        assert_eq!(next.credentials.method(), "keys");
        let (stmts, _) = parse("ALTER S3 CONNECTION c SET EXTERNAL_ID = 'cd'");
        let Ok((Plan::Alter { changes, .. }, _)) = check(&stmts[0]) else {
            panic!()
        };
        assert_eq!(
            next.altered(&changes).unwrap_err().kind,
            DiagnosticKind::MissingOption
        );
        let role_again = spec.altered(&changes).unwrap();
        assert!(
            matches!(role_again.credentials, Credentials::Role { external_id: Some(ref id), .. } if id.as_str() == "cd")
        );
    }
}
