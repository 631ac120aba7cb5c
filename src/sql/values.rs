//! Newtypes for option values with rules: once built, a value is known to be well formed.

use std::fmt;

use base64::Engine;

/// Why a value was refused, and how to write it instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    pub help: Option<String>,
    /// Byte offset of the offending character inside the value, when one is to blame.
    pub at: Option<usize>,
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            message: message.into(),
            help: None,
            at: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, at: usize) -> Self {
        self.at = Some(at);
        self
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` split into its five fields.
fn arn_parts(s: &str) -> Option<[&str; 5]> {
    let mut rest = s.strip_prefix("arn:")?;
    let mut field = || {
        let colon = rest.bytes().position(|b| b == b':')?;
        let (part, after) = (&rest[..colon], &rest[colon + 1..]);
        rest = after;
        Some(part)
    };
    let fields = [field()?, field()?, field()?, field()?];
    Some([fields[0], fields[1], fields[2], fields[3], rest])
}

fn is_partition(p: &str) -> bool {
    p == "aws"
        || p.strip_prefix("aws-").is_some_and(|r| {
            !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
}

fn is_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// `[A-Za-z0-9_+=,.@-]`: IAM names and STS session names.
pub fn is_iam_name_char(b: u8) -> bool {
    IAM_NAME_BYTE[usize::from(b)]
}

/// [`is_iam_name_char`] as a table: one look-up a byte, for every ARN and external ID checked.
const IAM_NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-');
        b += 1;
    }
    table
};

const ROLE_EXAMPLE: &str = "arn:aws:iam::123456789012:role/my-role";

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleArn(String);

impl RoleArn {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let help = "a role ARN looks like arn:aws:iam::123456789012:role/my-role";
        let Some([partition, service, region, account, resource]) = arn_parts(s) else {
            return Err(ValueError::new(format!("`{s}` is not an ARN")).help(help));
        };
        if !is_partition(partition) {
            return Err(ValueError::new(format!(
                "unknown partition `{partition}` in the role ARN"
            ))
            .help("the partition is aws, aws-cn or aws-us-gov"));
        }
        if service != "iam" {
            return Err(ValueError::new(format!(
                "this is an ARN of the `{service}` service, not an IAM role"
            ))
            .help(help));
        }
        if !region.is_empty() {
            return Err(ValueError::new("IAM ARNs have no region").help(help));
        }
        if !is_account(account) {
            return Err(
                ValueError::new(format!("the account ID `{account}` is not 12 digits")).help(help),
            );
        }
        let Some(path_and_name) = resource.strip_prefix("role/") else {
            // `…:123456789012:lake-reader`: a role's name without its `role/`.
            let bare_name = resource != "root"
                && (1..=64).contains(&resource.len())
                && resource.bytes().all(is_iam_name_char);
            if bare_name {
                let prefix = &s[..s.len() - resource.len()];
                return Err(ValueError::new(format!(
                    "`{resource}` is not a role: a role ARN ends in role/<name>"
                ))
                .help(format!("did you mean {prefix}role/{resource}?")));
            }
            let kind = resource.split('/').next().unwrap_or(resource);
            return Err(
                ValueError::new(format!("this is an IAM {kind} ARN, not a role ARN")).help(
                    format!("AWS_ROLE takes the ARN of the role to assume, like {ROLE_EXAMPLE}"),
                ),
            );
        };
        let (path, name) = path_and_name
            .rsplit_once('/')
            .unwrap_or(("", path_and_name));
        if name.is_empty() || name.len() > 64 {
            return Err(ValueError::new("a role name has 1 to 64 characters").help(help));
        }
        let name_start = s.len() - name.len();
        if let Some(i) = name.bytes().position(|b| !is_iam_name_char(b)) {
            return Err(
                ValueError::new("a role name may only hold letters, digits and _+=,.@-")
                    .help(help)
                    .at(name_start + i),
            );
        }
        let path_start = s.len() - path_and_name.len();
        if let Some(i) = path.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
            return Err(ValueError::new(
                "a role path may only hold printable ASCII without spaces",
            )
            .at(path_start + i));
        }
        if path.len() > 510 || s.len() > 2048 {
            return Err(ValueError::new(
                "the role ARN is too long (STS allows 2048 characters)",
            ));
        }
        Ok(RoleArn(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn partition(&self) -> &str {
        self.0.split(':').nth(1).unwrap_or("aws")
    }

    pub fn account(&self) -> &str {
        self.0.split(':').nth(4).unwrap_or("")
    }

    /// The role's name, without its path.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An STS external ID: 2 to 1224 of `[A-Za-z0-9_+=,.@:/-]`. An identifier, not a secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let help = "an external ID has 2 to 1224 characters: letters, digits and _+=,.@:/-";
        if let Some(i) = s
            .bytes()
            .position(|b| !(is_iam_name_char(b) || b == b':' || b == b'/'))
        {
            let c = s[i..].chars().next().unwrap_or(' ');
            let shown = if c == ' ' {
                "a space".to_string()
            } else {
                format!("`{c}`")
            };
            return Err(
                ValueError::new(format!("an external ID cannot contain {shown}"))
                    .help(help)
                    .at(i),
            );
        }
        if s.len() < 2 || s.len() > 1224 {
            return Err(ValueError::new(format!(
                "an external ID has 2 to 1224 characters, this one has {}",
                s.len()
            ))
            .help(help));
        }
        Ok(ExternalId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An access key ID: 16 to 128 of `[A-Za-z0-9_]`. Shown, since it names a key without opening it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let help = "an access key ID has 16 to 128 letters and digits, like AKIAIOSFODNN7EXAMPLE";
        if let Some(i) = s
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        {
            return Err(
                ValueError::new("an access key ID holds only letters and digits")
                    .help(help)
                    .at(i),
            );
        }
        if s.len() < 16 || s.len() > 128 {
            return Err(ValueError::new(format!(
                "an access key ID has 16 to 128 characters, this one has {}",
                s.len()
            ))
            .help(help));
        }
        Ok(AccessKeyId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret value. `Debug` and `Display` print the mask; only [`Secret::expose`] gives the text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Option<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(Some(s.into()))
    }

    /// A secret that is set but that this reader may not see: a member of a team catalog reads
    /// connections without their secrets, which only administrators may read.
    pub fn withheld() -> Self {
        Secret(None)
    }

    pub fn is_withheld(&self) -> bool {
        self.0.is_none()
    }

    /// The secret itself, for the catalog and for AWS calls only; empty when withheld, so
    /// whoever calls AWS asks [`Secret::is_withheld`] (or `ConnectionSpec::withheld`) first.
    pub fn expose(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", super::words::MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(super::words::MASK)
    }
}

/// Checks an SSE-C key: base64 of exactly 256 bits.
pub fn customer_managed_key(s: &str) -> Result<Secret, ValueError> {
    let help =
        "an SSE-C key is the base64 text of 32 random bytes, e.g. from `openssl rand -base64 32`";
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(bytes) if bytes.len() == 32 => Ok(Secret::new(s)),
        Ok(bytes) => Err(ValueError::new(format!(
            "the key is {} bits; SSE-C keys are 256 bits",
            bytes.len() * 8
        ))
        .help(help)),
        Err(_) => Err(ValueError::new("the key is not valid base64").help(help)),
    }
}

/// An S3 location `s3://bucket[/prefix]`; the prefix is kept exactly, trailing slash included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct S3Path(String);

impl S3Path {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match Self::parse_location(s)? {
            (path, None) => Ok(path),
            (_, Some(length)) => Err(length),
        }
    }

    /// A job's location: the same rules, but a bucket name of the wrong length is returned as
    /// a complaint beside the path rather than refused (Upsolver's own examples use
    /// `s3://b/…`; S3 will refuse such a bucket, so the checks warn about it).
    pub fn parse_location(s: &str) -> Result<(Self, Option<ValueError>), ValueError> {
        let help = "a path looks like s3://bucket/prefix/ (s3://bucket/ for a whole bucket)";
        let Some(rest) = s.strip_prefix("s3://") else {
            return Err(ValueError::new(format!("`{s}` is not an s3:// path")).help(help));
        };
        let bucket = rest.split_once('/').map_or(rest, |(b, _)| b);
        if bucket.is_empty() {
            return Err(ValueError::new("the path names no bucket").help(help));
        }
        let length = (bucket.len() < 3 || bucket.len() > 63).then(|| {
            ValueError::new(format!(
                "bucket name `{bucket}` must have 3 to 63 characters"
            ))
            .help(help)
        });
        if let Some(i) = bucket
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'))
        {
            return Err(ValueError::new(
                "bucket names hold only lower-case letters, digits, dots and hyphens",
            )
            .help(help)
            .at(5 + i));
        }
        let edge_ok =
            |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !edge_ok(bucket.bytes().next()) || !edge_ok(bucket.bytes().last()) {
            return Err(
                ValueError::new("a bucket name starts and ends with a letter or digit").help(help),
            );
        }
        Ok((S3Path(s.to_string()), length))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> (&str, &str) {
        let rest = &self.0["s3://".len()..];
        rest.split_once('/').unwrap_or((rest, ""))
    }

    pub fn bucket(&self) -> &str {
        self.parts().0
    }

    /// The key prefix after the bucket, possibly empty.
    pub fn prefix(&self) -> &str {
        self.parts().1
    }
}

impl fmt::Display for S3Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A KMS key ARN `arn:<partition>:kms:<region>:<account>:key/<id>` (alias ARNs too, with a warning).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KmsKeyArn(String);

impl KmsKeyArn {
    /// The key and whether it is an alias ARN (which the checks warn about).
    pub fn parse(s: &str) -> Result<(Self, bool), ValueError> {
        let help = "a KMS key ARN looks like arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let Some([partition, service, region, account, resource]) = arn_parts(s) else {
            let hint = if s.starts_with("alias/") {
                "write the alias as a full ARN, arn:aws:kms:<region>:<account>:alias/<name>, or use the key's ARN"
            } else {
                help
            };
            return Err(ValueError::new(format!("`{s}` is not a KMS key ARN")).help(hint));
        };
        if !is_partition(partition) || service != "kms" {
            return Err(ValueError::new("this is not a KMS ARN").help(help));
        }
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ValueError::new(format!("`{region}` is not an AWS region")).help(help));
        }
        if !is_account(account) {
            return Err(
                ValueError::new(format!("the account ID `{account}` is not 12 digits")).help(help),
            );
        }
        match resource.split_once('/') {
            Some(("key", id)) if !id.is_empty() => Ok((KmsKeyArn(s.to_string()), false)),
            Some(("alias", name)) if !name.is_empty() => Ok((KmsKeyArn(s.to_string()), true)),
            _ => Err(ValueError::new("a KMS ARN ends in key/<key-id>").help(help)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KmsKeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let arn = RoleArn::parse("arn:aws:iam::123456789012:role/path/to/lake-reader").unwrap();
        assert_eq!(
            (arn.account(), arn.name(), arn.partition()),
            ("123456789012", "lake-reader", "aws")
        );
        assert!(RoleArn::parse("arn:aws-cn:iam::123456789012:role/r").is_ok());
        for (bad, msg) in [
            ("arn:aws:iam::12345:role/r", "not 12 digits"),
            ("arn:aws:iam::123456789012:user/bob", "IAM user ARN"),
            ("arn:aws:iam::123456789012:root", "IAM root ARN"),
            (
                "arn:aws:iam::123456789012:lake-reader",
                "`lake-reader` is not a role",
            ),
            ("arn:aws:s3:::bucket", "`s3` service"),
            ("role/r", "not an ARN"),
            ("arn:aws:iam::123456789012:role/", "1 to 64"),
            ("arn:aws:iam::123456789012:role/a b", "may only hold"),
        ] {
            let err = RoleArn::parse(bad).unwrap_err();
            assert!(err.message.contains(msg), "{bad}: {}", err.message);
        }
        let err = RoleArn::parse("arn:aws:iam::123456789012:lake-reader").unwrap_err();
        assert_eq!(
            err.help.as_deref(),
            Some("did you mean arn:aws:iam::123456789012:role/lake-reader?")
        );
    }

    #[test]
    fn external_ids() {
        assert!(ExternalId::parse("a1b2c3d4").is_ok());
        assert!(ExternalId::parse("x:/y=z,@.+-_").is_ok());
        assert_eq!(ExternalId::parse("has space").unwrap_err().at, Some(3));
        assert!(ExternalId::parse("a").is_err());
        assert!(ExternalId::parse(&"a".repeat(1224)).is_ok());
        assert!(ExternalId::parse(&"a".repeat(1225)).is_err());
        assert!(ExternalId::parse("é2").is_err());
    }

    #[test]
    fn s3_paths() {
        assert_eq!(
            S3Path::parse("s3://bucket1/").unwrap().to_string(),
            "s3://bucket1/"
        );
        assert_eq!(
            S3Path::parse("s3://b-1.x/folder/").unwrap().prefix(),
            "folder/"
        );
        assert!(S3Path::parse("bucket1/").is_err());
        assert!(S3Path::parse("s3://Bucket/").is_err());
        assert!(S3Path::parse("s3://ab/").is_err());
    }

    #[test]
    fn kms_and_sse_c() {
        let (_, alias) =
            KmsKeyArn::parse("arn:aws:kms:us-west-2:111122223333:key/1234abcd").unwrap();
        assert!(!alias);
        let (_, alias) = KmsKeyArn::parse("arn:aws:kms:us-west-2:111122223333:alias/k").unwrap();
        assert!(alias);
        assert!(
            KmsKeyArn::parse("alias/my-key")
                .unwrap_err()
                .help
                .unwrap()
                .contains("full ARN")
        );
        assert!(customer_managed_key("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").is_ok());
        assert!(customer_managed_key("c2hvcnQ=").is_err());
        assert!(customer_managed_key("not base64!").is_err());
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("wJalrXUtnFEMI");
        assert_eq!(format!("{s} {s:?}"), "******** Secret(********)");
    }
}
