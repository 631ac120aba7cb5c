//! The offline rules of an S3 connection (SPEC §1): each option's value format, and which
//! options go together.

use super::{Purpose, Typed, find, invalid, typed_options, wrong_type};
use crate::sql::ast::{OptionSetting, Options, Value};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::options::{OptionKey, ValueKind};
use crate::sql::span::Span;
use crate::sql::spec::{Change, ConnectionOption, ConnectionSpec};
use crate::sql::values::{
    self, AccessKeyId, ExternalId, KmsKeyArn, RoleArn, S3Path, Secret, ValueError,
};

/// The checked spec of `CREATE S3 CONNECTION`'s options.
pub(super) fn spec_of(
    options: &Options<ConnectionOption>,
    diags: &mut Vec<Diagnostic>,
) -> ConnectionSpec {
    let changes = typed_options(options, Purpose::Create, diags, region_hint, typed_value);
    spec_from(changes, diags, &|key| options.get(key).is_some())
}

/// The checked changes of `ALTER S3 CONNECTION … SET`.
pub(super) fn changes_of(
    set: &Options<ConnectionOption>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Change, Span)> {
    let changes = typed_options(set, Purpose::Alter, diags, region_hint, typed_value);
    combination_rules(&changes, diags, &|key| set.get(key).is_some());
    changes.into_iter().map(|(c, s, _)| (c, s)).collect()
}

/// REGION is a common slip from Upsolver's other connection types.
fn region_hint(name: &str, span: Span) -> Option<Diagnostic> {
    name.eq_ignore_ascii_case("REGION").then(|| {
        Diagnostic::error(DiagnosticKind::UnknownOption, span, "unknown option REGION")
            .with_label("S3 connections have no region")
            .with_help("REGION belongs to GLUE_CATALOG and KINESIS connections; remove it")
    })
}

fn typed_value(
    key: ConnectionOption,
    setting: &OptionSetting<ConnectionOption>,
) -> Result<(Change, Option<Diagnostic>), Diagnostic> {
    let def = key.def();
    let wrong = || {
        let d = wrong_type(key, &setting.value);
        match (key, &setting.value) {
            (ConnectionOption::ReadOnly, Value::String(s))
                if s.value.eq_ignore_ascii_case("true")
                    || s.value.eq_ignore_ascii_case("false") =>
            {
                d.with_help(format!("write {key} = {}", s.value.to_ascii_uppercase()))
            }
            (ConnectionOption::ReadOnly, _) => {
                d.with_help(format!("write {key} = TRUE or {key} = FALSE"))
            }
            (ConnectionOption::PathDisplayFilter, Value::List(..)) => {
                d.with_help("for several paths use PATH_DISPLAY_FILTERS = ('s3://…', 's3://…')")
            }
            (ConnectionOption::PathDisplayFilters, Value::String(s)) => {
                d.with_help(format!("write PATH_DISPLAY_FILTERS = ('{}')", s.value))
            }
            _ => d,
        }
    };
    let text = match (&setting.value, def.kind) {
        (Value::String(s), ValueKind::String) => s,
        (Value::List(items, _), ValueKind::StringList) => {
            let mut paths = Vec::with_capacity(items.len());
            for item in items {
                paths.push(
                    S3Path::parse(&item.value)
                        .map_err(|e| invalid(key.name(), item.span, item.value.len(), e))?,
                );
            }
            return Ok((Change::PathDisplayFilters(paths), None));
        }
        (Value::Bool(b, _), ValueKind::Boolean) => return Ok((Change::ReadOnly(*b), None)),
        _ => return Err(wrong()),
    };
    let (value, span) = (text.value.as_str(), text.span);
    let bad = |e: ValueError| invalid(key.name(), span, value.len(), e);
    let change = match key {
        ConnectionOption::AwsRole => Change::AwsRole(RoleArn::parse(value).map_err(bad)?),
        ConnectionOption::ExternalId => Change::ExternalId(ExternalId::parse(value).map_err(bad)?),
        ConnectionOption::AwsAccessKeyId => {
            Change::AwsAccessKeyId(AccessKeyId::parse(value).map_err(bad)?)
        }
        ConnectionOption::AwsSecretAccessKey if value.is_empty() => {
            return Err(Diagnostic::error(
                DiagnosticKind::InvalidValue,
                span,
                "the secret access key is empty",
            ));
        }
        ConnectionOption::AwsSecretAccessKey => Change::AwsSecretAccessKey(Secret::new(value)),
        ConnectionOption::PathDisplayFilter => {
            Change::PathDisplayFilter(S3Path::parse(value).map_err(bad)?)
        }
        ConnectionOption::EncryptionKmsKey => {
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
        ConnectionOption::EncryptionCustomerManagedKey => {
            Change::EncryptionCustomerManagedKey(values::customer_managed_key(value).map_err(bad)?)
        }
        ConnectionOption::Comment => Change::Comment(value.to_string()),
        ConnectionOption::PathDisplayFilters | ConnectionOption::ReadOnly => return Err(wrong()),
    };
    Ok((change, None))
}

/// The combination rules shared by CREATE and ALTER. `written` says whether the statement
/// names an option at all: one written with an invalid value has its own error, and is not
/// reported missing too.
fn combination_rules(
    changes: &[Typed<Change>],
    diags: &mut Vec<Diagnostic>,
    written: &dyn Fn(ConnectionOption) -> bool,
) {
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
        (Some(_), None) if written(ConnectionOption::AwsSecretAccessKey) => {}
        (None, Some(_)) if written(ConnectionOption::AwsAccessKeyId) => {}
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

fn spec_from(
    mut changes: Vec<Typed<Change>>,
    diags: &mut Vec<Diagnostic>,
    written: &dyn Fn(ConnectionOption) -> bool,
) -> ConnectionSpec {
    combination_rules(&changes, diags, written);
    if let (Some((_, _, span)), None) = (
        find(&changes, |c| matches!(c, Change::ExternalId(_))),
        find(&changes, |c| matches!(c, Change::AwsRole(_))),
    ) && !written(ConnectionOption::AwsRole)
    {
        diags.push(
            Diagnostic::error(DiagnosticKind::MissingOption, *span, "EXTERNAL_ID needs AWS_ROLE")
                .with_help("the external ID is sent when assuming a role: add AWS_ROLE = 'arn:aws:iam::<account>:role/<name>'"),
        );
    }
    // Options may come in any order; the method's main option goes first so that its
    // partner (EXTERNAL_ID, the secret) lands on it.
    changes.sort_by_key(|(c, _, _)| !c.starts_method());
    let mut spec = ConnectionSpec::default();
    for (change, _, _) in changes {
        spec.apply(change);
    }
    spec
}

#[cfg(test)]
mod tests {
    use crate::sql::check::{Plan, check};
    use crate::sql::diagnostic::DiagnosticKind;
    use crate::sql::parse::parse;
    use crate::sql::spec::Credentials;

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
