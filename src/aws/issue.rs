//! Temporary credentials for a connection, as `connsql credentials` hands them out: a role is
//! assumed with its external ID, the duration asked and a session policy; access keys are
//! traded for a federation token (narrowed by the policy) or a session token, so the
//! long-term secret never leaves the catalog.

use std::time::Duration;

use aws_credential_types::Credentials as StaticCredentials;
use aws_sdk_sts::Client;
use aws_sdk_sts::error::ProvideErrorMetadata;
use time::OffsetDateTime;

use super::base::{self, Base};
use super::diagnose::{Call, CallContext, diagnose, error_code};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Credentials, Span};

/// What to ask STS for.
pub struct IssueRequest<'a> {
    pub credentials: &'a Credentials,
    /// `connsql-<connection or job>`, valid for STS.
    pub session_name: String,
    pub duration_seconds: i32,
    /// A session policy (compact JSON) that narrows the credentials, or none.
    pub policy: Option<String>,
    /// `SourceIdentity` for AssumeRole (a team catalog's role), or none.
    pub source_identity: Option<String>,
}

/// Temporary credentials and who they are.
#[derive(Clone, Debug)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
    /// The assumed-role or federated-user ARN.
    pub arn: Option<String>,
}

/// Issues temporary credentials; every failure is a diagnostic with its fix.
pub fn issue(request: &IssueRequest<'_>, timeout: Duration) -> Result<Issued, Diagnostic> {
    let runtime = super::validator::runtime()?;
    runtime.block_on(async {
        let base = base::load(timeout).await?;
        let client = super::validator::sts_client(&base.config);
        match request.credentials {
            Credentials::Role { arn, external_id } => {
                let external = external_id.as_ref().map(|e| e.as_str());
                let assume = |seconds: i32| {
                    client
                        .assume_role()
                        .role_arn(arn.as_str())
                        .role_session_name(&request.session_name)
                        .set_external_id(external.map(str::to_string))
                        .set_source_identity(request.source_identity.clone())
                        .set_policy(request.policy.clone())
                        .duration_seconds(seconds)
                        .send()
                };
                match assume(request.duration_seconds).await {
                    Ok(out) => {
                        let arn = out.assumed_role_user().map(|u| u.arn().to_string());
                        from_sts(out.credentials(), arn, request.duration_seconds)
                    }
                    Err(e) if is_duration_too_long(&e) => {
                        let most = longest_hours(request.duration_seconds, assume).await;
                        Err(duration_refused(arn.as_str(), request.duration_seconds, most))
                    }
                    Err(e) => {
                        let call = Call::AssumeRole {
                            role_arn: arn.as_str(),
                            external_id: external,
                            source_identity: request.source_identity.as_deref(),
                        };
                        Err(*diagnose(&e, &context(&base, call)).diagnostic)
                    }
                }
            }
            Credentials::Keys {
                access_key_id,
                secret_access_key,
            } => {
                let keys = StaticCredentials::new(
                    access_key_id.as_str(),
                    secret_access_key.expose(),
                    None,
                    None,
                    "connsql-connection",
                );
                let keyed = Client::from_conf(
                    super::validator::sts_config(&base.config)
                        .credentials_provider(keys)
                        .build(),
                );
                match &request.policy {
                    // A federated user has exactly the permissions of both the key's user and
                    // the policy; without a policy it would have none, so a session token.
                    Some(policy) => keyed
                        .get_federation_token()
                        .name(federation_name(&request.session_name))
                        .policy(policy)
                        .duration_seconds(request.duration_seconds)
                        .send()
                        .await
                        .map_err(|e| diagnose(&e, &context(&base, Call::KeysIdentity)).diagnostic.as_ref().clone())
                        .and_then(|out| {
                            let arn = out.federated_user().map(|u| u.arn().to_string());
                            from_sts(out.credentials(), arn, request.duration_seconds)
                        }),
                    None => keyed
                        .get_session_token()
                        .duration_seconds(request.duration_seconds)
                        .send()
                        .await
                        .map_err(|e| diagnose(&e, &context(&base, Call::KeysIdentity)).diagnostic.as_ref().clone())
                        .and_then(|out| {
                            from_sts(out.credentials(), None, request.duration_seconds)
                        }),
                }
            }
            Credentials::Default => Err(Diagnostic::error(
                DiagnosticKind::AwsNoCredentials,
                Span::default(),
                "the connection has no credentials of its own to hand out",
            )
            .with_help(
                "it uses the caller's AWS identity: give it AWS_ROLE (and EXTERNAL_ID) with ALTER S3 CONNECTION … SET",
            )),
        }
    })
}

fn context<'a>(base: &'a Base, call: Call<'a>) -> CallContext<'a> {
    CallContext {
        endpoint: &base.endpoint,
        region: base.region.as_ref(),
        timeout_secs: base.timeout.as_secs_f64(),
        caller_arn: None,
        call,
    }
}

fn from_sts(
    credentials: Option<&aws_sdk_sts::types::Credentials>,
    arn: Option<String>,
    duration_seconds: i32,
) -> Result<Issued, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(
            DiagnosticKind::AwsBadAnswer,
            Span::default(),
            format!("STS answered with credentials connsql will not hand out: {why}"),
        )
        .with_help("nothing was cached; run again, and check AWS_ENDPOINT_URL_STS if it goes on")
    };
    let Some(c) = credentials else {
        return Err(bad("the answer holds none"));
    };
    let expiration = OffsetDateTime::from_unix_timestamp(c.expiration().secs())
        .map_err(|_| bad("their expiration is out of range"))?;
    let issued = Issued {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: c.secret_access_key().to_string(),
        session_token: c.session_token().to_string(),
        expiration,
        arn,
    };
    issued
        .problem(crate::clock::now(), duration_seconds)
        .map_or(Ok(issued), |why| Err(bad(&why)))
}

/// How far STS's clock may be ahead of ours when an expiration is checked.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

impl Issued {
    /// What is wrong with credentials STS issued for `duration_seconds` as of `now`, if
    /// anything: every value present and well-formed, an expiration in the future and no later
    /// than the duration allows. Never quotes a value.
    pub fn problem(&self, now: OffsetDateTime, duration_seconds: i32) -> Option<String> {
        if let Some(why) = credential_problem(
            &self.access_key_id,
            &self.secret_access_key,
            &self.session_token,
        ) {
            return Some(why);
        }
        if self.expiration <= now {
            return Some("they have already expired".into());
        }
        let latest = now + time::Duration::seconds(i64::from(duration_seconds)) + CLOCK_SKEW;
        if self.expiration > latest {
            return Some(format!(
                "they expire later than the {duration_seconds} s asked for allow"
            ));
        }
        None
    }
}

/// What is wrong with the three values of temporary credentials, if anything: an access key
/// id of 16 to 128 letters and digits, and a secret and session token that are not empty and
/// hold no blank or control character.
pub fn credential_problem(access_key_id: &str, secret: &str, token: &str) -> Option<String> {
    let printable = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
    if !(16..=128).contains(&access_key_id.len())
        || !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Some(if access_key_id.is_empty() {
            "the AccessKeyId is empty".into()
        } else {
            "the AccessKeyId is not 16 to 128 letters and digits".into()
        });
    }
    if !printable(secret) {
        return Some(if secret.is_empty() {
            "the SecretAccessKey is empty".into()
        } else {
            "the SecretAccessKey holds blanks or control characters".into()
        });
    }
    if !printable(token) {
        return Some(if token.is_empty() {
            "the SessionToken is empty".into()
        } else {
            "the SessionToken holds blanks or control characters".into()
        });
    }
    None
}

/// STS's answer when the duration asked is more than the role allows.
fn is_duration_too_long<E: ProvideErrorMetadata>(
    err: &aws_sdk_sts::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> bool {
    error_code(err).as_deref() == Some("ValidationError")
        && err
            .message()
            .is_some_and(|m| m.contains("MaxSessionDuration"))
}

/// The longest whole number of hours below `asked` seconds the role accepts (STS does not say
/// the maximum; the role's `MaxSessionDuration` is 1 to 12 hours). At most four calls.
async fn longest_hours<F, Fut, T, E>(asked: i32, assume: F) -> Option<i32>
where
    F: Fn(i32) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let (mut low, mut high) = (0, (asked - 1) / 3600);
    while low < high {
        let mid = (low + high + 1) / 2;
        if assume(mid * 3600).await.is_ok() {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    (low > 0).then_some(low * 3600)
}

fn duration_refused(role: &str, asked: i32, most: Option<i32>) -> Diagnostic {
    let name = role.rsplit('/').next().unwrap_or(role);
    let (what, fix) = match most {
        Some(s) => (
            format!("the role allows at most {s} s ({} h)", s / 3600),
            format!("ask for --duration {s} or less"),
        ),
        None => (
            "the role allows less than an hour (or is assumed by a role, where AWS allows one hour at most)".to_string(),
            "ask for --duration 900".to_string(),
        ),
    };
    Diagnostic::error(
        DiagnosticKind::AwsError,
        Span::default(),
        format!("{asked} s is longer than {role} may be assumed for: {what}"),
    )
    .with_help(format!(
        "{fix}, or raise the role's maximum session duration (IAM → Roles → {name} → Maximum session duration)"
    ))
}

/// A federated user's name: 2 to 32 characters of `[\w+=,.@-]`.
fn federation_name(session: &str) -> String {
    session.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_duration_is_found_in_whole_hours() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let calls = std::cell::Cell::new(0);
        let allows = |max: i32| {
            let calls = &calls;
            move |s: i32| {
                calls.set(calls.get() + 1);
                std::future::ready(if s <= max { Ok(()) } else { Err(()) })
            }
        };
        assert_eq!(rt.block_on(longest_hours(43200, allows(7200))), Some(7200));
        assert!(calls.get() <= 4, "{} calls", calls.get());
        assert_eq!(rt.block_on(longest_hours(7200, allows(3600))), Some(3600));
        assert_eq!(rt.block_on(longest_hours(3600, allows(3000))), None);
        assert_eq!(
            rt.block_on(longest_hours(43200, allows(39600))),
            Some(39600)
        );
    }

    #[test]
    fn federation_names_fit() {
        assert_eq!(federation_name(&"x".repeat(64)).len(), 32);
    }
}
