//! IAM policy documents for a connection: the trust policy its role needs, the
//! least-privilege S3 permissions policy, and the session policy that narrows the temporary
//! credentials `connsql credentials` hands out. Plain JSON, no AWS client: what statements show
//! and what `aws/` sends are made here alike. Keys keep a stable order (serde_json
//! preserve_order).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::sql::ConnectionSpec;
use crate::sql::Credentials;
use crate::sql::job_spec::{JobKind, JobSpec};
use crate::sql::values::S3Path;

/// `s` as literal text inside an IAM pattern (a `Resource`, or a `StringLike` condition): `*`,
/// `?` and `$` are IAM's wildcards and the start of its variables, so each is written as the
/// variable that stands for the character itself (`${*}`, `${?}`, `${$}`, policy version
/// 2012-10-17). A bucket or prefix then grants exactly itself; only the `*` connsql appends
/// is a wildcard.
pub fn iam_literal(s: &str) -> Cow<'_, str> {
    if !s.contains(['*', '?', '$']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The most characters STS accepts in a session policy (the `Policy` parameter).
pub const SESSION_POLICY_MAX: usize = 2048;

/// The principal a trust policy should name for the identity connsql calls AWS as.
///
/// An assumed-role session (`arn:aws:sts::…:assumed-role/Role/session`) is named by its role,
/// since IAM does not accept session ARNs as principals; the role's path, which the session ARN
/// does not carry, must be added by hand when the role has one.
pub fn principal_for(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, "sts", _, account, resource] = parts.as_slice()
        && let Some(rest) = resource.strip_prefix("assumed-role/")
        && let Some((role, _session)) = rest.split_once('/')
    {
        return format!("arn:{partition}:iam::{account}:role/{role}");
    }
    caller_arn.to_string()
}

/// The trust policy that lets `caller_arn` assume a role with `external_id`.
///
/// With `source_identity` (a team catalog, whose calls name the person as `SourceIdentity`) the
/// statement also allows `sts:SetSourceIdentity`, which AWS evaluates in the same request.
pub fn trust_policy(caller_arn: &str, external_id: &str, source_identity: bool) -> Value {
    let action = if source_identity {
        json!(["sts:AssumeRole", "sts:SetSourceIdentity"])
    } else {
        json!("sts:AssumeRole")
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ConnsqlAssumeRoleWithExternalId",
            "Effect": "Allow",
            "Principal": { "AWS": principal_for(caller_arn) },
            "Action": action,
            "Condition": { "StringEquals": { "sts:ExternalId": external_id } }
        }]
    })
}

/// The S3 permissions a connection needs, scoped to its display filters.
///
/// Without filters it covers every bucket of the account and adds `s3:ListAllMyBuckets`, which
/// listing the buckets needs. With `ENCRYPTION_KMS_KEY` it adds the KMS actions S3 uses for it.
pub fn s3_policy(spec: &ConnectionSpec) -> Value {
    let partition = match &spec.credentials {
        Credentials::Role { arn, .. } => arn.partition().to_string(),
        _ => "aws".to_string(),
    };
    let s3 = |rest: &str| format!("arn:{partition}:s3:::{rest}");
    let mut statements = Vec::new();
    let mut object_resources = Vec::new();
    if spec.path_display_filters.is_empty() {
        statements.push(json!({
            "Sid": "ListAllBuckets",
            "Effect": "Allow",
            "Action": ["s3:ListAllMyBuckets"],
            "Resource": "*"
        }));
        statements.push(json!({
            "Sid": "ListBuckets",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": s3("*")
        }));
        object_resources.push(s3("*/*"));
    } else {
        // Prefixes per bucket; an empty prefix means the whole bucket.
        let mut buckets: BTreeMap<&str, Vec<Cow<'_, str>>> = BTreeMap::new();
        for path in &spec.path_display_filters {
            buckets
                .entry(path.bucket())
                .or_default()
                .push(iam_literal(path.prefix()));
        }
        // Engines and SDKs ask a bucket's location before anything else. The request carries
        // no `s3:prefix`, and IAM reads a condition on a key the request lacks as false: the
        // location is granted in a statement of its own, without the listing's condition.
        let locations: Vec<String> = buckets.keys().map(|b| s3(&iam_literal(b))).collect();
        statements.push(json!({
            "Sid": "BucketLocation",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation"],
            "Resource": one_or_many(locations)
        }));
        for (i, (bucket, prefixes)) in buckets.iter().enumerate() {
            let bucket = iam_literal(bucket);
            let whole = prefixes.iter().any(|p| p.is_empty());
            let mut statement = json!({
                "Sid": format!("ListBucket{}", i + 1),
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": s3(&bucket)
            });
            if !whole {
                let patterns: Vec<String> = prefixes.iter().map(|p| format!("{p}*")).collect();
                statement["Condition"] = json!({ "StringLike": { "s3:prefix": patterns } });
            }
            statements.push(statement);
            if whole {
                object_resources.push(s3(&format!("{bucket}/*")));
            } else {
                object_resources.extend(prefixes.iter().map(|p| s3(&format!("{bucket}/{p}*"))));
            }
        }
    }
    statements.push(json!({
        "Sid": "ReadObjects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": object_resources
    }));
    if !spec.read_only {
        statements.push(json!({
            "Sid": "WriteObjects",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": object_resources
        }));
    }
    if let Some(key) = &spec.encryption_kms_key {
        let actions = if spec.read_only {
            json!(["kms:Decrypt"])
        } else {
            json!(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"])
        };
        statements.push(json!({
            "Sid": "UseKmsKey",
            "Effect": "Allow",
            "Action": actions,
            "Resource": key.as_str()
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A `Resource` of one ARN as a string, of several as a list.
fn one_or_many(mut resources: Vec<String>) -> Value {
    if resources.len() == 1 {
        Value::String(resources.remove(0))
    } else {
        json!(resources)
    }
}

/// The statement that allows one action on one location: what an access-denied diagnosis
/// prints to add, built as `s3_policy` builds its statements.
pub fn statement_for(action: crate::validation::S3Action, path: &S3Path, partition: &str) -> Value {
    use crate::validation::S3Action;
    let (bucket, prefix) = (iam_literal(path.bucket()), iam_literal(path.prefix()));
    let s3 = |rest: &str| format!("arn:{partition}:s3:::{rest}");
    let objects = s3(&format!("{bucket}/{prefix}*"));
    match action {
        S3Action::List => {
            let mut statement = json!({
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": s3(&bucket),
            });
            if !prefix.is_empty() {
                statement["Condition"] =
                    json!({ "StringLike": { "s3:prefix": [format!("{prefix}*")] } });
            }
            statement
        }
        S3Action::Read => json!({
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": objects,
        }),
        S3Action::Write => json!({
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": objects,
        }),
        S3Action::Delete => json!({
            "Effect": "Allow",
            "Action": ["s3:DeleteObject"],
            "Resource": objects,
        }),
    }
}

/// The statement that lets S3 use a KMS key for an action: decrypt to read, generate data keys
/// to write.
pub fn kms_statement(action: crate::validation::S3Action, key: &str) -> Value {
    use crate::validation::S3Action;
    let actions = match action {
        S3Action::Write => json!(["kms:GenerateDataKey", "kms:Decrypt"]),
        _ => json!(["kms:Decrypt"]),
    };
    json!({ "Effect": "Allow", "Action": actions, "Resource": key })
}

/// The statement `s3:ListAllMyBuckets` needs.
pub fn list_buckets_statement() -> Value {
    json!({ "Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*" })
}

/// Why no session policy could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionPolicyError {
    /// The job's location is not an `s3://bucket/prefix` path.
    Location(String),
    /// The policy is longer than STS accepts.
    TooLong { length: usize },
}

impl std::fmt::Display for SessionPolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionPolicyError::Location(l) => {
                write!(f, "the job's location `{l}` is not an s3:// path")
            }
            SessionPolicyError::TooLong { length } => write!(
                f,
                "the session policy for this job would have {length} characters, and STS accepts {SESSION_POLICY_MAX}: shorten the job's LOCATION"
            ),
        }
    }
}

/// The session policy that narrows temporary credentials to what they are for, or `None`
/// when the connection's own permissions are what is wanted.
///
/// - with a job: only the job's location — read and list for `COPY FROM` (and delete, with
///   `DELETE_FILES_AFTER_LOAD`), write and list for `INSERT INTO S3`;
/// - a `READ_ONLY` connection without a job: read and list only;
/// - `ENCRYPTION_KMS_KEY`: the KMS actions S3 needs for it, on that key only.
///
/// Printed compact, as STS measures it, without statement ids (each character counts against
/// the job's location); longer than `SESSION_POLICY_MAX` is an error.
pub fn session_policy(
    spec: &ConnectionSpec,
    job: Option<&JobSpec>,
) -> Result<Option<String>, SessionPolicyError> {
    let partition = match &spec.credentials {
        Credentials::Role { arn, .. } => arn.partition().to_string(),
        _ => "aws".to_string(),
    };
    let s3 = |rest: &str| format!("arn:{partition}:s3:::{rest}");
    let mut statements = Vec::new();
    let mut writes = false;
    match job {
        Some(job) => {
            let location = job.location();
            let path = S3Path::parse_location(&location)
                .map_err(|_| SessionPolicyError::Location(location.clone()))?
                .0;
            let (bucket, prefix) = (iam_literal(path.bucket()), iam_literal(path.prefix()));
            let mut actions = match job.kind() {
                JobKind::Copy => vec!["s3:GetObject", "s3:GetObjectVersion"],
                JobKind::Insert => vec!["s3:PutObject", "s3:AbortMultipartUpload"],
            };
            if job.kind() == JobKind::Copy && job.writes() {
                actions.push("s3:DeleteObject");
            }
            writes = job.writes();
            statements.push(json!({
                "Effect": "Allow",
                "Action": actions,
                "Resource": s3(&format!("{bucket}/{prefix}*")),
            }));
            // The bucket's region, which engines ask first; its own statement, since a
            // location request carries no `s3:prefix` for the listing's condition to match.
            statements.push(json!({
                "Effect": "Allow",
                "Action": "s3:GetBucketLocation",
                "Resource": s3(&bucket),
            }));
            let mut listing = json!({
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": s3(&bucket),
            });
            if !prefix.is_empty() {
                listing["Condition"] =
                    json!({ "StringLike": { "s3:prefix": [format!("{prefix}*")] } });
            }
            statements.push(listing);
        }
        // Read and list only, on whatever the role itself may reach (a session policy only
        // narrows): each action on the kind of resource it applies to.
        None if spec.read_only => {
            statements.push(json!({
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": s3("*/*"),
            }));
            statements.push(json!({
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": s3("*"),
            }));
            statements.push(json!({
                "Effect": "Allow",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "*",
            }));
        }
        None => return Ok(None),
    }
    if let Some(key) = &spec.encryption_kms_key {
        let actions = if writes {
            json!(["kms:Decrypt", "kms:GenerateDataKey"])
        } else {
            json!(["kms:Decrypt"])
        };
        statements.push(json!({
            "Effect": "Allow",
            "Action": actions,
            "Resource": key.as_str(),
        }));
    }
    let text = json!({ "Version": "2012-10-17", "Statement": statements }).to_string();
    if text.len() > SESSION_POLICY_MAX {
        return Err(SessionPolicyError::TooLong { length: text.len() });
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::values::S3Path;

    #[test]
    fn principal_of_an_assumed_role_is_its_role() {
        assert_eq!(
            principal_for("arn:aws:sts::123456789012:assumed-role/admin/alice"),
            "arn:aws:iam::123456789012:role/admin"
        );
        assert_eq!(
            principal_for("arn:aws:iam::123456789012:user/ci"),
            "arn:aws:iam::123456789012:user/ci"
        );
    }

    #[test]
    fn s3_policy_is_scoped_to_filters() {
        let spec = ConnectionSpec {
            path_display_filters: vec![
                S3Path::parse("s3://bucket1/").unwrap(),
                S3Path::parse("s3://bucket2/folder/").unwrap(),
            ],
            read_only: true,
            ..ConnectionSpec::default()
        };
        let policy = s3_policy(&spec);
        let text = serde_json::to_string(&policy).unwrap();
        assert!(
            text.contains(
                r#""Resource":["arn:aws:s3:::bucket1/*","arn:aws:s3:::bucket2/folder/*"]"#
            ),
            "{text}"
        );
        assert!(text.contains(r#""s3:prefix":["folder/*"]"#));
        assert!(!text.contains("s3:PutObject"));
        assert!(!text.contains("ListAllMyBuckets"));
    }
}
