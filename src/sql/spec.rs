//! The S3 connection's model: its option table (`CONNECTION_OPTIONS`) and the checked form the
//! catalog stores (`ConnectionSpec`, `Credentials`), with `Change` for one option's new value.
//! Every layer imports the model from here.

use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::options::{OptionDef, ValueKind};
use super::setting::{OptionSetting, Options, StringLit, Value};
use super::span::Span;
use super::values::{AccessKeyId, ExternalId, KmsKeyArn, RoleArn, S3Path, Secret};

/// An option of `CREATE S3 CONNECTION` / `ALTER S3 CONNECTION … SET`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectionOption {
    AwsRole,
    ExternalId,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    PathDisplayFilter,
    PathDisplayFilters,
    ReadOnly,
    EncryptionKmsKey,
    EncryptionCustomerManagedKey,
    Comment,
}

crate::option_key!(ConnectionOption, "S3 connection", CONNECTION_OPTIONS);

const fn def(
    key: ConnectionOption,
    name: &'static str,
    kind: ValueKind,
    column: &'static str,
    secret: bool,
    summary: &'static str,
) -> OptionDef<ConnectionOption> {
    // Every connection option may be changed by ALTER … SET.
    OptionDef {
        key,
        name,
        kind,
        column,
        secret,
        editable: true,
        summary,
    }
}

/// In canonical order, the enum's order.
pub const CONNECTION_OPTIONS: &[OptionDef<ConnectionOption>] = &[
    def(
        ConnectionOption::AwsRole,
        "AWS_ROLE",
        ValueKind::String,
        "aws_role",
        false,
        "IAM role ARN to assume: arn:aws:iam::<12-digit account>:role/[path/]name",
    ),
    def(
        ConnectionOption::ExternalId,
        "EXTERNAL_ID",
        ValueKind::String,
        "external_id",
        false,
        "external ID sent with AssumeRole (2-1224 of A-Z a-z 0-9 _+=,.@:/-); only with AWS_ROLE",
    ),
    def(
        ConnectionOption::AwsAccessKeyId,
        "AWS_ACCESS_KEY_ID",
        ValueKind::String,
        "aws_access_key_id",
        false,
        "static access key ID, with AWS_SECRET_ACCESS_KEY",
    ),
    def(
        ConnectionOption::AwsSecretAccessKey,
        "AWS_SECRET_ACCESS_KEY",
        ValueKind::String,
        "aws_secret_access_key",
        true,
        "secret of the access key (never printed)",
    ),
    def(
        ConnectionOption::PathDisplayFilter,
        "PATH_DISPLAY_FILTER",
        ValueKind::String,
        "path_display_filters",
        false,
        "one display filter, 's3://bucket/prefix'",
    ),
    def(
        ConnectionOption::PathDisplayFilters,
        "PATH_DISPLAY_FILTERS",
        ValueKind::StringList,
        "path_display_filters",
        false,
        "several display filters, ('s3://bucket1/', 's3://bucket2/prefix/')",
    ),
    def(
        ConnectionOption::ReadOnly,
        "READ_ONLY",
        ValueKind::Boolean,
        "read_only",
        false,
        "TRUE: jobs may not write to or delete from the bucket (default FALSE)",
    ),
    def(
        ConnectionOption::EncryptionKmsKey,
        "ENCRYPTION_KMS_KEY",
        ValueKind::String,
        "encryption_kms_key",
        false,
        "KMS key ARN for server-side encryption (an alias ARN is accepted with a warning)",
    ),
    def(
        ConnectionOption::EncryptionCustomerManagedKey,
        "ENCRYPTION_CUSTOMER_MANAGED_KEY",
        ValueKind::String,
        "encryption_customer_managed_key",
        true,
        "base64 of a 256-bit SSE-C key (never printed)",
    ),
    def(
        ConnectionOption::Comment,
        "COMMENT",
        ValueKind::String,
        "comment",
        false,
        "free text",
    ),
];

/// Whether a word looks like a secret's name (`SECRET`, `PASSWORD`, a near miss such as
/// `AWS_SECRET_ACESS_KEY`): its value is masked wherever raw text is shown.
pub fn looks_like_secret_name(text: &str) -> bool {
    use super::options::OptionKey;
    ConnectionOption::name_looks_secret(text)
}

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

impl Change {
    /// Whether the change picks the credential method (its partner options then attach to it).
    pub fn starts_method(&self) -> bool {
        matches!(self, Change::AwsRole(_) | Change::AwsAccessKeyId(_))
    }
}

/// An option's value as stored, for DESCRIBE and the like; secrets are masked by the printer,
/// which knows from the table which options are secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting<'a> {
    Unset,
    Text(&'a str),
    Bool(bool),
    List(Vec<&'a str>),
}

impl ConnectionSpec {
    /// Sets one option; credentials of the other method are cleared (SPEC §1, ALTER semantics).
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::AwsRole(arn) => {
                let external_id =
                    match std::mem::replace(&mut self.credentials, Credentials::Default) {
                        Credentials::Role { external_id, .. } => external_id,
                        _ => None,
                    };
                self.credentials = Credentials::Role { arn, external_id };
            }
            Change::ExternalId(id) => {
                if let Credentials::Role { external_id, .. } = &mut self.credentials {
                    *external_id = Some(id);
                }
            }
            Change::AwsAccessKeyId(id) => {
                let secret = match &self.credentials {
                    Credentials::Keys {
                        secret_access_key, ..
                    } => secret_access_key.clone(),
                    _ => Secret::new(""),
                };
                self.credentials = Credentials::Keys {
                    access_key_id: id,
                    secret_access_key: secret,
                };
            }
            Change::AwsSecretAccessKey(secret) => {
                if let Credentials::Keys {
                    secret_access_key, ..
                } = &mut self.credentials
                {
                    *secret_access_key = secret;
                }
            }
            Change::PathDisplayFilter(path) => self.path_display_filters = vec![path],
            Change::PathDisplayFilters(paths) => self.path_display_filters = paths,
            Change::ReadOnly(b) => self.read_only = b,
            Change::EncryptionKmsKey(k) => self.encryption_kms_key = Some(k),
            Change::EncryptionCustomerManagedKey(k) => {
                self.encryption_customer_managed_key = Some(k)
            }
            Change::Comment(c) => self.comment = Some(c),
        }
    }

    /// The spec after `ALTER … SET` of `changes`, or why the result is not a valid connection.
    ///
    /// Setting AWS_ROLE on a key connection (or keys on a role connection) switches method and
    /// clears the other's options; EXTERNAL_ID alone only fits a connection that has a role.
    pub fn altered(&self, changes: &[(Change, Span)]) -> Result<ConnectionSpec, Diagnostic> {
        let mut next = self.clone();
        // The role comes first so that an EXTERNAL_ID in the same statement lands on it.
        let mut ordered: Vec<&(Change, Span)> = changes.iter().collect();
        ordered.sort_by_key(|(c, _)| !c.starts_method());
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
            next.apply(change.clone());
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

    /// The secret options that are set but withheld from this reader (see [`Secret::withheld`]).
    pub fn withheld(&self) -> Vec<ConnectionOption> {
        let mut out = Vec::new();
        if let Credentials::Keys {
            secret_access_key, ..
        } = &self.credentials
            && secret_access_key.is_withheld()
        {
            out.push(ConnectionOption::AwsSecretAccessKey);
        }
        if self
            .encryption_customer_managed_key
            .as_ref()
            .is_some_and(Secret::is_withheld)
        {
            out.push(ConnectionOption::EncryptionCustomerManagedKey);
        }
        out
    }

    /// Marks a secret option that is set as withheld from this reader.
    pub fn withhold(&mut self, key: ConnectionOption) {
        match (key, &mut self.credentials) {
            (
                ConnectionOption::AwsSecretAccessKey,
                Credentials::Keys {
                    secret_access_key, ..
                },
            ) => *secret_access_key = Secret::withheld(),
            (ConnectionOption::EncryptionCustomerManagedKey, _) => {
                self.encryption_customer_managed_key = Some(Secret::withheld())
            }
            _ => {}
        }
    }

    /// The stored value of one option. PATH_DISPLAY_FILTER reads as unset: the list form
    /// holds every filter.
    pub fn setting(&self, key: ConnectionOption) -> Setting<'_> {
        use ConnectionOption::*;
        match (key, &self.credentials) {
            (AwsRole, Credentials::Role { arn, .. }) => Setting::Text(arn.as_str()),
            (ExternalId, Credentials::Role { external_id, .. }) => {
                text(external_id.as_ref().map(|e| e.as_str()))
            }
            (AwsAccessKeyId, Credentials::Keys { access_key_id, .. }) => {
                Setting::Text(access_key_id.as_str())
            }
            (
                AwsSecretAccessKey,
                Credentials::Keys {
                    secret_access_key, ..
                },
            ) => Setting::Text(secret_access_key.expose()),
            (AwsRole | ExternalId | AwsAccessKeyId | AwsSecretAccessKey, _) => Setting::Unset,
            (PathDisplayFilter, _) => Setting::Unset,
            (PathDisplayFilters, _) => Setting::List(
                self.path_display_filters
                    .iter()
                    .map(|p| p.as_str())
                    .collect(),
            ),
            (ReadOnly, _) => Setting::Bool(self.read_only),
            (EncryptionKmsKey, _) => text(self.encryption_kms_key.as_ref().map(|k| k.as_str())),
            (EncryptionCustomerManagedKey, _) => text(
                self.encryption_customer_managed_key
                    .as_ref()
                    .map(|k| k.expose()),
            ),
            (Comment, _) => text(self.comment.as_deref()),
        }
    }

    /// The options that recreate this connection, in canonical order.
    pub fn to_options(&self) -> Options<ConnectionOption> {
        let mut out = Vec::new();
        for def in CONNECTION_OPTIONS {
            let value = match self.setting(def.key) {
                Setting::Unset => continue,
                Setting::Text(s) => Value::String(StringLit::new(s)),
                Setting::Bool(false) => continue,
                Setting::Bool(true) => Value::Bool(true, Span::default()),
                Setting::List(items) if items.is_empty() => continue,
                Setting::List(items) => Value::List(
                    items.into_iter().map(StringLit::new).collect(),
                    Span::default(),
                ),
            };
            out.push(OptionSetting::new(def.key, value));
        }
        Options(out)
    }
}

fn text(s: Option<&str>) -> Setting<'_> {
    s.map_or(Setting::Unset, Setting::Text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::options::OptionKey;

    #[test]
    fn table_order_matches_enum() {
        for (i, def) in CONNECTION_OPTIONS.iter().enumerate() {
            assert_eq!(def.key as usize, i, "{}", def.name);
        }
    }

    #[test]
    fn suggestions() {
        let s = ConnectionOption::suggest;
        assert_eq!(s("EXTERNALID"), Some("EXTERNAL_ID"));
        assert_eq!(s("aws_rol"), Some("AWS_ROLE"));
        assert_eq!(s("READONLY"), Some("READ_ONLY"));
        assert_eq!(s("PATH_DISPLAY_FILTRES"), Some("PATH_DISPLAY_FILTERS"));
        assert_eq!(s("BANANA"), None);
    }
}
