//! The S3 connection option table: the one source of truth for names, value types, secrecy
//! and editability, read by the parser, the checks, completion, redaction and the docs.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OptionKey {
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

/// The shape of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    String,
    StringList,
    Boolean,
}

impl ValueKind {
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::String => "a string in single quotes",
            ValueKind::StringList => "a parenthesised list of strings, like ('s3://bucket/')",
            ValueKind::Boolean => "TRUE or FALSE, without quotes",
        }
    }
}

#[derive(Debug)]
pub struct OptionDef {
    pub key: OptionKey,
    /// Canonical spelling, upper case.
    pub name: &'static str,
    pub kind: ValueKind,
    /// Printed as `'********'` everywhere but the catalog itself.
    pub secret: bool,
    /// Whether `ALTER … SET` may change it.
    pub editable: bool,
    pub summary: &'static str,
}

/// In canonical order: `Display` prints options in this order.
pub const OPTIONS: &[OptionDef] = &[
    OptionDef {
        key: OptionKey::AwsRole,
        name: "AWS_ROLE",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "IAM role ARN to assume: arn:aws:iam::<12-digit account>:role/<name>",
    },
    OptionDef {
        key: OptionKey::ExternalId,
        name: "EXTERNAL_ID",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "external ID sent with AssumeRole (2-1224 of A-Z a-z 0-9 _+=,.@:/-); only with AWS_ROLE",
    },
    OptionDef {
        key: OptionKey::AwsAccessKeyId,
        name: "AWS_ACCESS_KEY_ID",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "static access key ID, with AWS_SECRET_ACCESS_KEY",
    },
    OptionDef {
        key: OptionKey::AwsSecretAccessKey,
        name: "AWS_SECRET_ACCESS_KEY",
        kind: ValueKind::String,
        secret: true,
        editable: true,
        summary: "secret of the access key (never printed)",
    },
    OptionDef {
        key: OptionKey::PathDisplayFilter,
        name: "PATH_DISPLAY_FILTER",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "one display filter, s3://bucket/prefix",
    },
    OptionDef {
        key: OptionKey::PathDisplayFilters,
        name: "PATH_DISPLAY_FILTERS",
        kind: ValueKind::StringList,
        secret: false,
        editable: true,
        summary: "several display filters, ('s3://bucket1/', 's3://bucket2/prefix/')",
    },
    OptionDef {
        key: OptionKey::ReadOnly,
        name: "READ_ONLY",
        kind: ValueKind::Boolean,
        secret: false,
        editable: true,
        summary: "TRUE: jobs may not write to or delete from the bucket (default FALSE)",
    },
    OptionDef {
        key: OptionKey::EncryptionKmsKey,
        name: "ENCRYPTION_KMS_KEY",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "KMS key ARN for server-side encryption",
    },
    OptionDef {
        key: OptionKey::EncryptionCustomerManagedKey,
        name: "ENCRYPTION_CUSTOMER_MANAGED_KEY",
        kind: ValueKind::String,
        secret: true,
        editable: true,
        summary: "base64 of a 256-bit SSE-C key (never printed)",
    },
    OptionDef {
        key: OptionKey::Comment,
        name: "COMMENT",
        kind: ValueKind::String,
        secret: false,
        editable: true,
        summary: "free text",
    },
];

impl OptionKey {
    pub fn def(self) -> &'static OptionDef {
        &OPTIONS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn is_secret(self) -> bool {
        self.def().secret
    }

    /// Case-insensitive look-up of an option name.
    pub fn from_name(name: &str) -> Option<OptionKey> {
        OPTIONS
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.key)
    }
}

impl fmt::Display for OptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The option name a mistyped one most likely meant.
pub fn suggest(name: &str) -> Option<&'static str> {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| *c != '_')
            .collect::<String>()
            .to_ascii_uppercase()
    };
    let wanted = squash(name);
    OPTIONS
        .iter()
        .map(|d| (strsim::jaro_winkler(&wanted, &squash(d.name)), d.name))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_enum() {
        for (i, def) in OPTIONS.iter().enumerate() {
            assert_eq!(def.key as usize, i, "{}", def.name);
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("EXTERNALID"), Some("EXTERNAL_ID"));
        assert_eq!(suggest("aws_rol"), Some("AWS_ROLE"));
        assert_eq!(suggest("READONLY"), Some("READ_ONLY"));
        assert_eq!(
            suggest("PATH_DISPLAY_FILTRES"),
            Some("PATH_DISPLAY_FILTERS")
        );
        assert_eq!(suggest("BANANA"), None);
    }
}
