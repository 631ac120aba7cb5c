//! Turns STS errors into diagnostics a user can act on: the AWS code and request id as data,
//! and a concrete hint (the trust policy to paste, the region to activate, the time waited).

use std::error::Error as StdError;

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::policy;
use crate::sql::ConnectionOption;
use crate::sql::Span;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::validation::ValidationFailure;

/// What the failing call was about, for the message.
pub struct CallContext<'a> {
    pub endpoint: &'a str,
    pub region: &'a str,
    pub timeout_secs: f64,
    /// The identity making the call, when known.
    pub caller_arn: Option<&'a str>,
    pub call: Call<'a>,
}

pub enum Call<'a> {
    /// The base credentials' own identity.
    BaseIdentity,
    /// A connection's access keys.
    KeysIdentity,
    AssumeRole {
        role_arn: &'a str,
        external_id: Option<&'a str>,
        /// The `SourceIdentity` sent (a team catalog's role), if any.
        source_identity: Option<&'a str>,
    },
}

/// An error's AWS code, from the parsed metadata, else from the raw body (`<Code>…</Code>`),
/// else from the HTTP status: some servers send error bodies the SDK cannot read. A code is a
/// short word (`AccessDenied`, `Sender.Throttling`); anything else in its place is not one.
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    let is_code = |c: &str| {
        !c.is_empty()
            && c.len() <= 64
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    };
    if let Some(code) = err.code() {
        return is_code(code).then(|| code.to_string());
    }
    let raw = err.raw_response()?;
    if let Some(code) = error_element(raw, "Code") {
        return is_code(&code).then_some(code);
    }
    match raw.status().as_u16() {
        403 => Some("AccessDenied".into()),
        429 => Some("Throttling".into()),
        _ => None,
    }
}

/// The text of `<name>` inside an `<Error>` element of an answer's body: the only part of an
/// answer an error ever quotes, since a successful answer's body holds credentials.
fn error_element(raw: &HttpResponse, name: &str) -> Option<String> {
    let text = std::str::from_utf8(raw.body().bytes()?).ok()?;
    let error = &text[text.find("<Error>")?..];
    let open = format!("<{name}>");
    let start = error.find(&open)? + open.len();
    let len = error[start..].find(&format!("</{name}>"))?;
    Some(error[start..start + len].trim().to_string())
}

/// AWS's message of an error (from the SDK, or the `<Error>` element of the body), on one
/// line, its control characters escaped, at most 300 characters.
fn message_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    let message = err
        .message()
        .map(str::to_string)
        .or_else(|| error_element(err.raw_response()?, "Message"))?;
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown = crate::sql::redact::escape_controls(&line).into_owned();
    if shown.chars().count() > 300 {
        shown = shown.chars().take(300).collect::<String>() + "…";
    }
    Some(shown)
}

/// Whether the error is STS refusing the call (as opposed to the call not getting through).
pub fn is_access_denied<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    error_code(err).as_deref() == Some("AccessDenied")
}

pub fn diagnose<E>(err: &SdkError<E, HttpResponse>, ctx: &CallContext<'_>) -> ValidationFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let role_target: &[ConnectionOption] = match ctx.call {
        Call::AssumeRole { .. } => &[ConnectionOption::AwsRole, ConnectionOption::ExternalId],
        Call::KeysIdentity => &[ConnectionOption::AwsAccessKeyId],
        Call::BaseIdentity => &[],
    };
    let code = error_code(err);
    let request_id = err.request_id().map(str::to_string);
    let fail = |diagnostic: Diagnostic, target: &[ConnectionOption]| ValidationFailure {
        aws_code: code.clone(),
        request_id: request_id.clone(),
        ..ValidationFailure::new(diagnostic).at(target)
    };
    if super::http::is_oversize(err) {
        return fail(
            Diagnostic::error(
                DiagnosticKind::AwsBadAnswer,
                Span::default(),
                format!(
                    "STS at {} sent an answer larger than {} KiB; connsql stopped reading it",
                    ctx.endpoint,
                    super::http::MAX_ANSWER / 1024
                ),
            )
            .with_help(format!(
                "is {} an STS endpoint? check AWS_ENDPOINT_URL_STS",
                ctx.endpoint
            )),
            role_target,
        );
    }
    match err {
        SdkError::TimeoutError(_) => {
            return fail(
                Diagnostic::error(
                    DiagnosticKind::AwsTimeout,
                    Span::default(),
                    format!("STS at {} did not answer within {:.1} s", ctx.endpoint, ctx.timeout_secs),
                )
                .with_help("check the network and AWS_ENDPOINT_URL_STS, raise --timeout, or use --no-validate"),
                role_target,
            );
        }
        SdkError::DispatchFailure(d) => {
            let (kind, what) = if d.is_timeout() {
                (
                    DiagnosticKind::AwsTimeout,
                    format!(
                        "STS at {} did not answer within {:.1} s",
                        ctx.endpoint, ctx.timeout_secs
                    ),
                )
            } else {
                (
                    DiagnosticKind::AwsUnreachable,
                    format!("cannot reach STS at {}", ctx.endpoint),
                )
            };
            return fail(
                Diagnostic::error(kind, Span::default(), what)
                    .with_label(root_cause(err))
                    .with_help("check the network and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, or use --no-validate"),
                role_target,
            );
        }
        // The reader's own error may quote the answer, and a successful answer holds
        // credentials: only the status is said.
        SdkError::ResponseError(_) | SdkError::ConstructionFailure(_) => {
            let status = err
                .raw_response()
                .map(|r| format!(" (HTTP {})", r.status().as_u16()))
                .unwrap_or_default();
            return fail(
                Diagnostic::error(
                    DiagnosticKind::AwsBadAnswer,
                    Span::default(),
                    format!("STS gave an answer connsql cannot read{status}"),
                )
                .with_help(format!("is {} an STS endpoint?", ctx.endpoint)),
                role_target,
            );
        }
        _ => {}
    }
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    let code = code.clone().unwrap_or_else(|| format!("HTTP {status}"));
    let aws_message = message_of(err).unwrap_or_default();
    let request = err
        .request_id()
        .map(|id| format!(", request id {id}"))
        .unwrap_or_default();
    let label = format!("{code}{request}");
    let caller = ctx.caller_arn.unwrap_or("the caller");
    let diag = match (code.as_str(), &ctx.call) {
        ("AccessDenied", Call::AssumeRole {
            role_arn,
            external_id: Some(id),
            source_identity: Some(who),
        }) if aws_message.contains("sts:SetSourceIdentity") => {
            let role = role_arn.rsplit('/').next().unwrap_or(role_arn);
            let mut d = Diagnostic::error(
                DiagnosticKind::AwsAccessDenied,
                Span::default(),
                format!("the trust policy of {role_arn} does not let {caller} set a source identity"),
            )
            .with_label(label)
            .with_help(format!(
                "on a team catalog connsql names the person in every role session (SourceIdentity \
                 \"{who}\", which CloudTrail records): add \"sts:SetSourceIdentity\" to the Action \
                 of the statement that allows sts:AssumeRole (IAM → Roles → {role} → Trust relationships)"
            ));
            if let Some(arn) = ctx.caller_arn {
                d = d.with_note(format!(
                    "the trust policy the role needs:\n{}",
                    serde_json::to_string_pretty(&policy::trust_policy(arn, id, true))
                        .unwrap_or_default()
                ));
            }
            return fail(d, &[ConnectionOption::AwsRole]);
        }
        ("AccessDenied", Call::AssumeRole {
            role_arn,
            external_id,
            source_identity,
        }) => {
            let mut d = Diagnostic::error(
                DiagnosticKind::AwsAccessDenied,
                Span::default(),
                format!("AWS refused to let {caller} assume {role_arn}"),
            )
            .with_label(label);
            match (external_id, ctx.caller_arn) {
                (Some(id), Some(arn)) => {
                    d = d
                        .with_help(format!(
                            "the role's trust policy must allow {} to call sts:AssumeRole with sts:ExternalId = \"{id}\" \
                             (IAM → Roles → {} → Trust relationships), and the role must exist; \
                             if the trust policy is right, the EXTERNAL_ID is wrong",
                            policy::principal_for(arn),
                            role_arn.rsplit('/').next().unwrap_or(role_arn),
                        ))
                        .with_note(format!(
                            "the trust policy the role needs:\n{}",
                            serde_json::to_string_pretty(&policy::trust_policy(arn, id, source_identity.is_some())).unwrap_or_default()
                        ));
                }
                _ => {
                    d = d.with_help("the role's trust policy must allow the caller, with the connection's external ID");
                }
            }
            let mut failure = fail(d, &[ConnectionOption::AwsRole, ConnectionOption::ExternalId]);
            if let Some(id) = external_id {
                failure.also.push((
                    ConnectionOption::ExternalId,
                    format!("sent as ExternalId \"{id}\": if the trust policy is right, this is wrong"),
                ));
            }
            return failure;
        }
        ("RegionDisabledException", _) => {
            // STS names the account in its message ("…for account:123456789012…").
            let account = ctx
                .caller_arn
                .and_then(|a| a.split(':').nth(4))
                .map(str::to_string)
                .or_else(|| {
                    let at = aws_message.find("account:")? + "account:".len();
                    Some(aws_message[at..].chars().take_while(char::is_ascii_digit).collect())
                })
                .filter(|a: &String| !a.is_empty())
                .map_or("the calling account".to_string(), |a| format!("account {a}"));
            Diagnostic::error(
                DiagnosticKind::AwsRegionDisabled,
                Span::default(),
                format!("STS is not active in region {} for {account}", ctx.region),
            )
            .with_label(label)
            .with_help(format!(
                "in the IAM console open Account settings → Security Token Service (STS) → Endpoints, and Activate {}; \
                 or set AWS_REGION to a region where STS is active",
                ctx.region
            ))
        }
        (
            "InvalidClientTokenId" | "SignatureDoesNotMatch" | "ExpiredToken" | "ExpiredTokenException"
            | "UnrecognizedClientException" | "InvalidAccessKeyId" | "IncompleteSignature",
            Call::KeysIdentity,
        ) => Diagnostic::error(
            DiagnosticKind::AwsBadCredentials,
            Span::default(),
            format!("AWS does not accept the connection's access key: {aws_message}"),
        )
        .with_label(label)
        .with_help("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the key may be deleted, inactive or mistyped"),
        (
            "InvalidClientTokenId" | "SignatureDoesNotMatch" | "ExpiredToken" | "ExpiredTokenException"
            | "UnrecognizedClientException" | "InvalidAccessKeyId" | "IncompleteSignature",
            _,
        ) => {
            return fail(
                Diagnostic::error(
                    DiagnosticKind::AwsBadCredentials,
                    Span::default(),
                    "the base AWS credentials connsql runs with are wrong or expired",
                )
                .with_label(label)
                .with_help(
                    "refresh them (new keys, `aws sso login`, or a valid AWS_PROFILE), check the clock, or use --no-validate",
                ),
                &[],
            );
        }
        ("Throttling" | "ThrottlingException" | "RequestLimitExceeded", _) => Diagnostic::error(
            DiagnosticKind::AwsThrottled,
            Span::default(),
            "STS throttled the request, and retries did not get through",
        )
        .with_label(label)
        .with_help("run again later, or validate fewer connections at once with --parallel"),
        ("AccessDenied", Call::KeysIdentity | Call::BaseIdentity) => Diagnostic::error(
            DiagnosticKind::AwsAccessDenied,
            Span::default(),
            format!("AWS refused sts:GetCallerIdentity: {aws_message}"),
        )
        .with_label(label)
        .with_help("an explicit Deny or a service control policy blocks STS for these credentials"),
        _ => {
            let mut d = Diagnostic::error(
                DiagnosticKind::AwsError,
                Span::default(),
                if aws_message.is_empty() {
                    // A proxy's page says more than its status, but the body is never quoted:
                    // its kind is.
                    let kind = err
                        .raw_response()
                        .and_then(|r| r.headers().get("content-type"))
                        .map(|t| t.split(';').next().unwrap_or(t).trim())
                        .filter(|t| t.bytes().all(|b| b.is_ascii_graphic()) && t.len() <= 64)
                        .map(|t| format!(" ({t})"))
                        .unwrap_or_default();
                    format!("STS answered HTTP {status}{kind} without an AWS error message")
                } else {
                    format!("STS failed: {aws_message}")
                },
            )
            .with_label(label);
            if status >= 500 {
                d = d.with_help("STS had an internal error; run again later");
            }
            d
        }
    };
    fail(diag, role_target)
}

/// The innermost error's text: the part that says what actually happened.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut cause: &dyn StdError = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
