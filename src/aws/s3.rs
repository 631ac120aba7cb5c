//! S3 access, proven with the connection's own credentials: listing a display-filter location
//! or the buckets (what Upsolver checks), and the actions of `VALIDATE … ON … FOR` and
//! `VALIDATE JOB` — list, read, write (a zero-byte marker put and deleted), delete (of a key
//! that does not exist, which S3 allows exactly when the caller may delete). A bucket in
//! another region is followed there, as AWS's own tools do.

use aws_credential_types::Credentials as StaticCredentials;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::base::Base;
use crate::policy;
use crate::sql::Span;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::values::S3Path;
use crate::validation::{S3Action, S3Status};

/// The S3 client for `region` with `credentials` (none: the base credentials). A custom
/// endpoint (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`) is addressed path-style, since a
/// local server has no per-bucket host names.
pub fn client(base: &Base, credentials: Option<StaticCredentials>, region: Option<&str>) -> Client {
    let mut config = aws_sdk_s3::config::Builder::from(&base.config);
    if let Some(c) = credentials {
        config = config.credentials_provider(c);
    }
    if let Some(r) = region {
        config = config.region(aws_sdk_s3::config::Region::new(r.to_string()));
    }
    if custom_endpoint().is_some() {
        config = config.force_path_style(true);
    }
    Client::from_conf(config.build())
}

fn custom_endpoint() -> Option<String> {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

/// An S3 call that did not work, read from AWS's answer.
#[derive(Clone, Debug)]
pub struct S3Error {
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// `x-amz-bucket-region` of a redirect.
    pub bucket_region: Option<String>,
    pub status: u16,
    /// Why the call got no answer (timeout, connection refused).
    pub transport: Option<String>,
}

impl S3Error {
    fn of<E: ProvideErrorMetadata + std::error::Error + 'static>(
        err: &SdkError<E, HttpResponse>,
    ) -> S3Error {
        let raw = err.raw_response();
        let header = |name: &str| raw.and_then(|r| r.headers().get(name)).map(str::to_string);
        let status = raw.map_or(0, |r| r.status().as_u16());
        let code = err.code().map(str::to_string).or(match status {
            301 => Some("PermanentRedirect".into()),
            403 => Some("AccessDenied".into()),
            404 => Some("NotFound".into()),
            _ => None,
        });
        let transport = match err {
            SdkError::TimeoutError(_) => Some("no answer in time".to_string()),
            SdkError::DispatchFailure(d) => Some(if d.is_timeout() {
                "no answer in time".to_string()
            } else {
                root_cause(err)
            }),
            SdkError::ResponseError(_) | SdkError::ConstructionFailure(_) => Some(root_cause(err)),
            _ => None,
        };
        S3Error {
            code,
            message: err.message().unwrap_or_default().to_string(),
            request_id: err.request_id().map(str::to_string),
            bucket_region: header("x-amz-bucket-region"),
            status,
            transport,
        }
    }

    fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    fn is_kms(&self) -> bool {
        self.is("AccessDenied") && self.message.contains("kms:")
            || self.code.as_deref().is_some_and(|c| c.starts_with("KMS."))
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Lists the buckets (`s3:ListAllMyBuckets`).
pub async fn list_buckets(client: &Client) -> Result<(), S3Error> {
    client
        .list_buckets()
        .send()
        .await
        .map(drop)
        .map_err(|e| S3Error::of(&e))
}

/// One action on a location, following a redirect to the bucket's region once. Returns what
/// was done, for the row's detail.
pub async fn act(
    base: &Base,
    credentials: Option<StaticCredentials>,
    action: S3Action,
    path: &S3Path,
) -> Result<String, S3Error> {
    let first = client(base, credentials.clone(), None);
    match act_once(&first, action, path).await {
        Err(e) if e.is("PermanentRedirect") && e.bucket_region.is_some() => {
            let region = e.bucket_region.clone().unwrap_or_default();
            let there = client(base, credentials, Some(&region));
            act_once(&there, action, path)
                .await
                .map(|d| format!("{d} (the bucket is in {region})"))
                .map_err(|mut e| {
                    e.bucket_region.get_or_insert(region);
                    e
                })
        }
        other => other,
    }
}

async fn act_once(client: &Client, action: S3Action, path: &S3Path) -> Result<String, S3Error> {
    let (bucket, prefix) = (path.bucket(), path.prefix());
    match action {
        S3Action::List => {
            let first = first_key(client, bucket, prefix).await?;
            Ok(match first {
                Some(key) => format!("listed: s3://{bucket}/{key} is there"),
                None => "listed: no objects yet".to_string(),
            })
        }
        S3Action::Read => {
            let first = first_key(client, bucket, prefix).await?;
            let Some(key) = first else {
                return Ok("nothing to read yet: no objects under the location".to_string());
            };
            client
                .get_object()
                .bucket(bucket)
                .key(&key)
                .range("bytes=0-0")
                .send()
                .await
                .map_err(|e| S3Error::of(&e))?;
            Ok(format!("read the first byte of s3://{bucket}/{key}"))
        }
        S3Action::Write => {
            let key = marker_key(prefix, "write-check");
            client
                .put_object()
                .bucket(bucket)
                .key(&key)
                .body(aws_sdk_s3::primitives::ByteStream::from_static(b""))
                .send()
                .await
                .map_err(|e| S3Error::of(&e))?;
            match client.delete_object().bucket(bucket).key(&key).send().await {
                Ok(_) => Ok(format!("put and deleted s3://{bucket}/{key}")),
                Err(e) => Ok(format!(
                    "put s3://{bucket}/{key}; deleting it failed ({}): delete it by hand",
                    S3Error::of(&e).code.unwrap_or_else(|| "no answer".into())
                )),
            }
        }
        S3Action::Delete => {
            // Deleting a key that does not exist succeeds exactly when deleting is allowed,
            // and changes nothing.
            let key = marker_key(prefix, "delete-check");
            client
                .delete_object()
                .bucket(bucket)
                .key(&key)
                .send()
                .await
                .map_err(|e| S3Error::of(&e))?;
            Ok(format!(
                "deleted s3://{bucket}/{key} (a key that did not exist)"
            ))
        }
    }
}

/// The first key under `prefix`, listing one.
async fn first_key(client: &Client, bucket: &str, prefix: &str) -> Result<Option<String>, S3Error> {
    let out = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .max_keys(1)
        .send()
        .await
        .map_err(|e| S3Error::of(&e))?;
    Ok(out
        .contents()
        .first()
        .and_then(|o| o.key())
        .map(str::to_string))
}

/// A key under `prefix` that says what it is: `.connsql-<what>-<time>-<random>`.
fn marker_key(prefix: &str, what: &str) -> String {
    let mut random = [0u8; 4];
    let _ = getrandom::fill(&mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let sep = if prefix.is_empty() || prefix.ends_with('/') {
        ""
    } else {
        "/"
    };
    format!(
        "{prefix}{sep}.connsql-{what}-{}-{hex}",
        crate::clock::now().unix_timestamp()
    )
}

/// The status of a row, and a diagnostic that says what to do about a failure.
pub fn diagnose(
    err: &S3Error,
    action: S3Action,
    path: &S3Path,
    who: &str,
    partition: &str,
    kms_key: Option<&str>,
) -> (S3Status, Diagnostic) {
    let label = label(err);
    let bucket = path.bucket();
    if let Some(why) = &err.transport {
        return (S3Status::Failed, unreachable(&format!("for {path}"), why));
    }
    if err.is_kms() {
        // AWS names the key it refused: "… kms:Decrypt on resource: arn:aws:kms:… because …".
        let named = err
            .message
            .split("on resource: ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(|k| k.trim_matches('"'));
        let key = named.or(kms_key).unwrap_or("the bucket's KMS key");
        let statement = policy::kms_statement(action, key);
        return (
            S3Status::Denied,
            Diagnostic::error(
                DiagnosticKind::AwsAccessDenied,
                Span::default(),
                format!("{who} may not use the KMS key that encrypts {path}"),
            )
            .with_label(label)
            .with_help(format!(
                "allow it in the role's permissions policy, and let the role use the key in the key policy (KMS → {key} → Key policy); the statement to add:\n{}",
                pretty(&statement)
            )),
        );
    }
    if err.is("AccessDenied") {
        let statement = policy::statement_for(action, path, partition);
        return (
            S3Status::Denied,
            Diagnostic::error(
                DiagnosticKind::AwsAccessDenied,
                Span::default(),
                format!(
                    "AWS refused to let {who} {} {path}",
                    action.verb()
                ),
            )
            .with_label(label)
            .with_help(format!(
                "add this statement to the role's permissions policy (IAM → Roles → … → Permissions); SHOW S3 POLICY FOR CONNECTION prints the whole policy:\n{}",
                pretty(&statement)
            )),
        );
    }
    if err.is("NoSuchBucket") {
        return (
            S3Status::Failed,
            Diagnostic::error(
                DiagnosticKind::AwsError,
                Span::default(),
                format!("bucket {bucket} does not exist"),
            )
            .with_label(label)
            .with_help(
                "check the bucket's name: S3 bucket names are global, lower-case, and exact",
            ),
        );
    }
    if let Some(region) = &err.bucket_region {
        return (
            S3Status::Failed,
            Diagnostic::error(
                DiagnosticKind::AwsError,
                Span::default(),
                format!("bucket {bucket} is in region {region}, and S3 there refused the request too"),
            )
            .with_label(label)
            .with_help(format!("check that S3 is reachable in {region} and that the bucket's policy allows the role")),
        );
    }
    (
        S3Status::Failed,
        Diagnostic::error(
            DiagnosticKind::AwsError,
            Span::default(),
            format!("S3 failed for {path}: {}", what(err)),
        )
        .with_label(label),
    )
}

/// A failure to list the buckets (what is checked of a connection without display filters)
/// other than a refusal, which the validator reports as a warning: it concerns no bucket.
pub fn diagnose_listing(err: &S3Error) -> Diagnostic {
    match &err.transport {
        Some(why) => unreachable("listing the buckets", why),
        None => Diagnostic::error(
            DiagnosticKind::AwsError,
            Span::default(),
            format!("S3 failed listing the buckets: {}", what(err)),
        )
        .with_label(label(err)),
    }
}

/// The error code and request id, to label a failure with.
fn label(err: &S3Error) -> String {
    let request = err
        .request_id
        .as_ref()
        .map(|id| format!(", request id {id}"))
        .unwrap_or_default();
    format!("{}{request}", err.code.as_deref().unwrap_or("no answer"))
}

/// What S3 said, or its HTTP status when it said nothing.
fn what(err: &S3Error) -> String {
    if err.message.is_empty() {
        format!("HTTP {}", err.status)
    } else {
        err.message.clone()
    }
}

/// S3 did not answer `doing` something, because of `why`.
fn unreachable(doing: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::AwsUnreachable,
        Span::default(),
        format!("S3 did not answer {doing}: {why}"),
    )
    .with_help("check the network and AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or raise --timeout")
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}
