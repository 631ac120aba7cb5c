//! `StsValidator`: proves connections by assuming their roles (and refusing to without the
//! external ID), or by `GetCallerIdentity` with their keys. Many at once, bounded.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_credential_types::Credentials as StaticCredentials;
use aws_sdk_sts::Client;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

use super::base::{self, Base};
use super::diagnose::{Call, CallContext, diagnose, error_code, is_access_denied};
use super::s3;
use crate::policy;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::values::is_iam_name_char;
use crate::sql::{ConnectionOption, Credentials, Span};
use crate::validation::{
    S3Action, S3Check, S3Row, S3Status, ValidationFailure, ValidationReport, ValidationRequest,
    ValidationResult, Validator,
};

/// Requested session length: the minimum STS allows, since connsql only proves access.
pub const DURATION_SECONDS: i32 = 900;

#[derive(Clone, Copy, Debug)]
pub struct StsOptions {
    /// Per-attempt timeout of each STS call.
    pub timeout: Duration,
    /// Calls in flight at once.
    pub parallel: usize,
    /// Whether a progress bar may be drawn on stderr (it only is on a terminal).
    pub progress: bool,
}

impl Default for StsOptions {
    fn default() -> Self {
        StsOptions {
            timeout: Duration::from_secs(5),
            parallel: 16,
            progress: true,
        }
    }
}

struct State {
    runtime: Runtime,
    base: Result<(Base, Client), Diagnostic>,
}

/// Validates against STS as configured by the standard AWS settings. Nothing is loaded until
/// the first validation, so statements that need no AWS start fast.
pub struct StsValidator {
    options: StsOptions,
    state: OnceLock<Result<State, Diagnostic>>,
    caller: Mutex<Option<Result<String, ValidationFailure>>>,
}

impl StsValidator {
    pub fn new(options: StsOptions) -> Self {
        StsValidator {
            options,
            state: OnceLock::new(),
            caller: Mutex::new(None),
        }
    }

    fn state(&self) -> Result<&State, ValidationFailure> {
        let state = self.state.get_or_init(|| {
            let runtime = runtime()?;
            let timeout = self.options.timeout;
            let base = runtime
                .block_on(until_interrupted(base::load(timeout)))
                .unwrap_or_else(|| Err(cancelled()))
                .map(|base| {
                    let client = sts_client(&base.config);
                    (base, client)
                });
            Ok(State { runtime, base })
        });
        let state = state
            .as_ref()
            .map_err(|d| ValidationFailure::new(d.clone()))?;
        match &state.base {
            Ok(_) => Ok(state),
            Err(d) => Err(ValidationFailure::new(d.clone())),
        }
    }

    async fn caller(&self, base: &Base, client: &Client) -> Result<String, ValidationFailure> {
        if let Some(known) = self.caller.lock().ok().and_then(|c| c.clone()) {
            return known;
        }
        let result = match client.get_caller_identity().send().await {
            Ok(out) => Ok(out.arn().unwrap_or_default().to_string()),
            Err(e) => Err(diagnose(&e, &context(base, None, Call::BaseIdentity))),
        };
        if let Ok(mut slot) = self.caller.lock() {
            *slot = Some(result.clone());
        }
        result
    }
}

fn context<'a>(base: &'a Base, caller: Option<&'a str>, call: Call<'a>) -> CallContext<'a> {
    CallContext {
        endpoint: &base.endpoint,
        region: base.region.as_ref(),
        timeout_secs: base.timeout.as_secs_f64(),
        caller_arn: caller,
        call,
    }
}

/// The STS client: the base configuration, with HTTP 429 retried like 5xx answers (some
/// endpoints throttle with a bare 429 and no AWS error body).
pub(super) fn sts_client(config: &aws_config::SdkConfig) -> Client {
    Client::from_conf(sts_config(config).build())
}

pub(super) fn sts_config(config: &aws_config::SdkConfig) -> aws_sdk_sts::config::Builder {
    use aws_smithy_runtime::client::retries::classifiers::HttpStatusCodeClassifier;
    aws_sdk_sts::config::Builder::from(config).retry_classifier(
        HttpStatusCodeClassifier::new_from_codes(vec![429, 500, 502, 503, 504]),
    )
}

/// The current-thread runtime every AWS call runs on.
pub(super) fn runtime() -> Result<Runtime, Diagnostic> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Diagnostic::error(
                DiagnosticKind::AwsError,
                Span::default(),
                format!("cannot start the async runtime: {e}"),
            )
        })
}

/// `work`, or `None` once SIGINT or SIGTERM is pending.
async fn until_interrupted<T>(work: impl std::future::Future<Output = T>) -> Option<T> {
    tokio::select! {
        out = work => Some(out),
        () = interrupted() => None,
    }
}

async fn interrupted() {
    while crate::interrupt::pending().is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn cancelled() -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::Cancelled,
        Span::default(),
        "cancelled: the AWS calls in flight were dropped",
    )
}

/// A valid STS session name for a connection: `connsql-<name>`, other characters as `-`,
/// at most 64 characters.
pub fn session_name(connection: &str) -> String {
    let mut name: String = "connsql-"
        .chars()
        .chain(connection.chars())
        .map(|c| {
            if c.is_ascii() && is_iam_name_char(c as u8) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.len() < 2 {
        name.push_str("--");
    }
    name
}

/// How long a few calls may take before a spinner shows that connsql is waiting on AWS.
const SPINNER_AFTER: Duration = Duration::from_millis(300);

impl Validator for StsValidator {
    fn validate(&self, requests: &[ValidationRequest]) -> Vec<ValidationResult> {
        let state = match self.state() {
            Ok(s) => s,
            Err(f) => return requests.iter().map(|_| Err(f.clone())).collect(),
        };
        let Ok((base, client)) = &state.base else {
            unreachable!("state() checked the base")
        };
        let progress = if self.options.progress && requests.len() > 8 {
            let bar = ProgressBar::new(requests.len() as u64);
            if let Ok(style) =
                ProgressStyle::with_template("validating {pos}/{len} {wide_bar} {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        // A few calls get a spinner instead, drawn only once they have taken a moment (and,
        // like the bar, only at a terminal), so that a statement waiting on AWS is not silent.
        let spinner = ProgressBar::hidden();
        if let Ok(style) = ProgressStyle::with_template("{spinner} waiting for AWS… {elapsed}") {
            spinner.set_style(style);
        }
        let quiet_for_now = if self.options.progress && requests.len() <= 8 {
            let spinner = spinner.clone();
            // Ticked here, on the runtime the calls run on (no thread of its own), so it stops
            // when they end.
            Some(state.runtime.spawn(async move {
                tokio::time::sleep(SPINNER_AFTER).await;
                spinner.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                loop {
                    spinner.tick();
                    tokio::time::sleep(Duration::from_millis(120)).await;
                }
            }))
        } else {
            None
        };
        let work = async {
            let needs_caller = requests
                .iter()
                .any(|r| !matches!(r.credentials, Credentials::Keys { .. }));
            let caller = if needs_caller {
                Some(self.caller(base, client).await)
            } else {
                None
            };
            let limit = Arc::new(Semaphore::new(self.options.parallel.max(1)));
            let mut tasks = tokio::task::JoinSet::new();
            for (i, request) in requests.iter().cloned().enumerate() {
                let (base, client, limit, caller) =
                    (base.clone(), client.clone(), limit.clone(), caller.clone());
                tasks.spawn(async move {
                    let _permit = limit.acquire_owned().await;
                    (i, validate_one(&base, &client, request, caller).await)
                });
            }
            let mut results: Vec<Option<ValidationResult>> = vec![None; requests.len()];
            while let Some(joined) = tasks.join_next().await {
                if let Ok((i, result)) = joined {
                    results[i] = Some(result);
                }
                progress.inc(1);
            }
            results
        };
        // A signal drops the calls in flight (the join set aborts its tasks when dropped).
        let results = state
            .runtime
            .block_on(until_interrupted(work))
            .unwrap_or_else(|| {
                vec![Some(Err(ValidationFailure::new(cancelled()))); requests.len()]
            });
        progress.finish_and_clear();
        if let Some(task) = quiet_for_now {
            task.abort();
        }
        spinner.finish_and_clear();
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(ValidationFailure::new(Diagnostic::error(
                        DiagnosticKind::AwsError,
                        Span::default(),
                        "the validation task failed",
                    )))
                })
            })
            .collect()
    }

    fn caller_arn(&self) -> Result<String, ValidationFailure> {
        let state = self.state()?;
        let Ok((base, client)) = &state.base else {
            unreachable!("state() checked the base")
        };
        state
            .runtime
            .block_on(until_interrupted(self.caller(base, client)))
            .unwrap_or_else(|| Err(ValidationFailure::new(cancelled())))
    }

    fn region(&self) -> Option<String> {
        super::base::configured_region()
    }
}

async fn validate_one(
    base: &Base,
    client: &Client,
    request: ValidationRequest,
    caller: Option<Result<String, ValidationFailure>>,
) -> ValidationResult {
    let (mut report, credentials) = prove_credentials(base, client, &request, caller).await?;
    if !request.s3.is_empty() {
        let who = report
            .assumed_role_arn
            .clone()
            .or_else(|| report.caller_arn.clone())
            .unwrap_or_else(|| "the connection".into());
        prove_s3(base, &request, credentials, &who, &mut report).await?;
    }
    Ok(report)
}

/// The S3 checks of a request, made with the credentials STS proved.
async fn prove_s3(
    base: &Base,
    request: &ValidationRequest,
    credentials: Option<StaticCredentials>,
    who: &str,
    report: &mut ValidationReport,
) -> Result<(), ValidationFailure> {
    let partition = match &request.credentials {
        Credentials::Role { arn, .. } => arn.partition().to_string(),
        _ => "aws".to_string(),
    };
    let kms = request.kms_key.as_ref().map(|k| k.as_str());
    for check in &request.s3 {
        match check {
            S3Check::ListBuckets => {
                let client = s3::client(base, credentials.clone(), None);
                match s3::list_buckets(&client).await {
                    Ok(()) => {}
                    Err(e) if e.code.as_deref() == Some("AccessDenied") => report.warnings.push(
                        Diagnostic::warning(
                            DiagnosticKind::AwsAccessDenied,
                            Span::default(),
                            format!("{who} may not list the buckets (s3:ListAllMyBuckets)"),
                        )
                        .with_label("S3 access was not checked")
                        .with_help(format!(
                            "that is fine for a role scoped to its buckets: give the connection PATH_DISPLAY_FILTERS to check those instead, or allow listing:\n{}",
                            serde_json::to_string_pretty(&policy::list_buckets_statement()).unwrap_or_default()
                        )),
                    ),
                    Err(e) => {
                        let d = s3::diagnose_listing(&e);
                        return Err(ValidationFailure {
                            aws_code: e.code.clone(),
                            request_id: e.request_id.clone(),
                            ..ValidationFailure::new(d).at(&[ConnectionOption::AwsRole])
                        });
                    }
                }
            }
            S3Check::Location(path) => {
                if let Err(e) = s3::act(base, credentials.clone(), S3Action::List, path).await {
                    let (_, d) = s3::diagnose(&e, S3Action::List, path, who, &partition, kms);
                    let target: &[ConnectionOption] = if d.message.contains("KMS") {
                        &[ConnectionOption::EncryptionKmsKey]
                    } else {
                        &[
                            ConnectionOption::PathDisplayFilters,
                            ConnectionOption::PathDisplayFilter,
                        ]
                    };
                    return Err(ValidationFailure {
                        aws_code: e.code.clone(),
                        request_id: e.request_id.clone(),
                        ..ValidationFailure::new(d).at(target)
                    });
                }
            }
            S3Check::Action(action, path) => {
                let row = match s3::act(base, credentials.clone(), *action, path).await {
                    Ok(detail) => S3Row {
                        action: *action,
                        location: path.to_string(),
                        status: S3Status::Ok,
                        detail,
                        diagnostic: None,
                    },
                    Err(e) => {
                        let (status, d) = s3::diagnose(&e, *action, path, who, &partition, kms);
                        S3Row {
                            action: *action,
                            location: path.to_string(),
                            status,
                            detail: format!(
                                "{}: {}",
                                e.code.as_deref().unwrap_or("no answer"),
                                d.message
                            ),
                            diagnostic: Some(d),
                        }
                    }
                };
                report.s3_rows.push(row);
            }
        }
    }
    Ok(())
}

/// Proves the credentials with STS; returns what S3 should be called with (none: the base
/// credentials).
async fn prove_credentials(
    base: &Base,
    client: &Client,
    request: &ValidationRequest,
    caller: Option<Result<String, ValidationFailure>>,
) -> Result<(ValidationReport, Option<StaticCredentials>), ValidationFailure> {
    match &request.credentials {
        Credentials::Default => {
            let caller =
                caller.unwrap_or_else(|| unreachable!("default connections fetch the caller"))?;
            Ok((
                ValidationReport {
                    caller_arn: Some(caller),
                    assumed_role_arn: None,
                    warnings: Vec::new(),
                    s3_rows: Vec::new(),
                },
                None,
            ))
        }
        Credentials::Keys {
            access_key_id,
            secret_access_key,
        } => {
            let creds = StaticCredentials::new(
                access_key_id.as_str(),
                secret_access_key.expose(),
                None,
                None,
                "connsql-connection",
            );
            let keyed = Client::from_conf(
                sts_config(&base.config)
                    .credentials_provider(creds.clone())
                    .build(),
            );
            match keyed.get_caller_identity().send().await {
                Ok(out) => Ok((
                    ValidationReport {
                        caller_arn: out.arn().map(str::to_string),
                        assumed_role_arn: None,
                        warnings: Vec::new(),
                        s3_rows: Vec::new(),
                    },
                    Some(creds),
                )),
                Err(e) => Err(diagnose(&e, &context(base, None, Call::KeysIdentity))),
            }
        }
        Credentials::Role { arn, external_id } => {
            let caller =
                caller.unwrap_or_else(|| unreachable!("role connections fetch the caller"))?;
            let session = session_name(&request.connection);
            let external = external_id.as_ref().map(|e| e.as_str());
            let assumed = client
                .assume_role()
                .role_arn(arn.as_str())
                .role_session_name(&session)
                .set_external_id(external.map(str::to_string))
                .set_source_identity(request.source_identity.clone())
                .duration_seconds(DURATION_SECONDS)
                .send()
                .await;
            let (assumed_arn, temporary) = match assumed {
                Ok(out) => (
                    out.assumed_role_user().map(|u| u.arn().to_string()),
                    out.credentials().map(|c| {
                        StaticCredentials::new(
                            c.access_key_id(),
                            c.secret_access_key(),
                            Some(c.session_token().to_string()),
                            None,
                            "connsql-assumed-role",
                        )
                    }),
                ),
                Err(e) => {
                    let call = Call::AssumeRole {
                        role_arn: arn.as_str(),
                        external_id: external,
                        source_identity: request.source_identity.as_deref(),
                    };
                    return Err(diagnose(&e, &context(base, Some(&caller), call)));
                }
            };
            let mut warnings = Vec::new();
            if let Some(id) = external {
                // The same call without the external ID must be refused, or anyone the role
                // trusts could use it on another customer's behalf (the confused deputy).
                let bare = client
                    .assume_role()
                    .role_arn(arn.as_str())
                    .role_session_name(&session)
                    .set_source_identity(request.source_identity.clone())
                    .duration_seconds(DURATION_SECONDS)
                    .send()
                    .await;
                match bare {
                    Err(e) if is_access_denied(&e) => {}
                    Ok(_) => warnings.push(
                        Diagnostic::warning(
                            DiagnosticKind::ExternalIdNotRequired,
                            Span::default(),
                            format!("the trust policy of {arn} does not require the external ID"),
                        )
                        .with_label("AssumeRole without it succeeded")
                        .with_help(format!(
                            "add \"Condition\": {{\"StringEquals\": {{\"sts:ExternalId\": \"{id}\"}}}} to the trust policy's statement, \
                             so only callers that know the ID can assume the role (confused-deputy protection)"
                        )),
                    ),
                    Err(e) => warnings.push(
                        Diagnostic::warning(
                            DiagnosticKind::ExternalIdNotRequired,
                            Span::default(),
                            "could not confirm that the role requires its external ID",
                        )
                        .with_label(error_code(&e).unwrap_or_else(|| "no answer".into())),
                    ),
                }
            }
            Ok((
                ValidationReport {
                    caller_arn: Some(caller),
                    assumed_role_arn: assumed_arn,
                    warnings,
                    s3_rows: Vec::new(),
                },
                temporary,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_valid_for_sts() {
        assert_eq!(session_name("lake"), "connsql-lake");
        assert_eq!(session_name("My Conn/ü"), "connsql-My-Conn--");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }
}

/// The calls connsql makes and how their answers are read, against modelled STS answers
/// (aws-smithy-mocks) and canned HTTP exchanges (StaticReplayClient).
#[cfg(test)]
mod sts_tests {
    use aws_config::{Region, SdkConfig};
    use aws_sdk_sts::error::ErrorMetadata;
    use aws_sdk_sts::operation::assume_role::{AssumeRoleError, AssumeRoleOutput};
    use aws_sdk_sts::types::AssumedRoleUser;
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::sql::values::{ExternalId, RoleArn};

    const ROLE: &str = "arn:aws:iam::123456789012:role/lake-reader";
    const CALLER: &str = "arn:aws:iam::111111111111:user/ci";

    fn base() -> Base {
        Base {
            config: SdkConfig::builder()
                .region(Region::new("us-east-1"))
                .build(),
            region: Region::new("us-east-1"),
            endpoint: "https://sts.us-east-1.amazonaws.com".into(),
            timeout: Duration::from_secs(1),
        }
    }

    fn role_request() -> ValidationRequest {
        ValidationRequest {
            connection: "lake".into(),
            credentials: Credentials::Role {
                arn: RoleArn::parse(ROLE).unwrap(),
                external_id: Some(ExternalId::parse("a1b2c3d4").unwrap()),
            },
            s3: Vec::new(),
            kms_key: None,
            source_identity: None,
        }
    }

    fn assumed() -> AssumeRoleOutput {
        let user = AssumedRoleUser::builder()
            .arn("arn:aws:sts::123456789012:assumed-role/lake-reader/connsql-lake")
            .assumed_role_id("AROAEXAMPLE:connsql-lake")
            .build()
            .unwrap();
        AssumeRoleOutput::builder().assumed_role_user(user).build()
    }

    fn denied() -> AssumeRoleError {
        AssumeRoleError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("not authorized")
                .build(),
        )
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn role_is_assumed_with_its_external_id_and_refused_without() {
        let with_id = mock!(Client::assume_role)
            .match_requests(|r| {
                r.role_arn() == Some(ROLE)
                    && r.external_id() == Some("a1b2c3d4")
                    && r.role_session_name() == Some("connsql-lake")
                    && r.duration_seconds() == Some(DURATION_SECONDS)
            })
            .then_output(assumed);
        let without = mock!(Client::assume_role)
            .match_requests(|r| r.external_id().is_none())
            .then_error(denied);
        let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&with_id, &without]);
        let report = block_on(validate_one(
            &base(),
            &client,
            role_request(),
            Some(Ok(CALLER.into())),
        ))
        .unwrap();
        assert_eq!(
            report.assumed_role_arn.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/lake-reader/connsql-lake")
        );
        assert_eq!(report.caller_arn.as_deref(), Some(CALLER));
        assert!(report.warnings.is_empty());
        assert_eq!((with_id.num_calls(), without.num_calls()), (1, 1));
    }

    #[test]
    fn a_role_assumable_without_the_external_id_is_a_warning() {
        let any = mock!(Client::assume_role).then_output(assumed);
        let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&any]);
        let report = block_on(validate_one(
            &base(),
            &client,
            role_request(),
            Some(Ok(CALLER.into())),
        ))
        .unwrap();
        assert_eq!(report.warnings.len(), 1);
        assert_eq!(
            report.warnings[0].kind,
            DiagnosticKind::ExternalIdNotRequired
        );
        assert_eq!(any.num_calls(), 2);
    }

    #[test]
    fn access_denied_names_the_caller_and_prints_the_trust_policy() {
        let refuse = mock!(Client::assume_role).then_error(denied);
        let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&refuse]);
        let failure = block_on(validate_one(
            &base(),
            &client,
            role_request(),
            Some(Ok(CALLER.into())),
        ))
        .unwrap_err();
        assert_eq!(failure.diagnostic.kind, DiagnosticKind::AwsAccessDenied);
        assert_eq!(
            failure.target.first(),
            Some(&crate::sql::ConnectionOption::AwsRole)
        );
        assert_eq!(failure.aws_code.as_deref(), Some("AccessDenied"));
        assert!(failure.diagnostic.message.contains(CALLER));
        let note = failure.diagnostic.note.as_deref().unwrap_or_default();
        let policy: serde_json::Value =
            serde_json::from_str(note.split_once('\n').unwrap().1).unwrap();
        assert_eq!(
            policy["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
            "a1b2c3d4"
        );
        assert_eq!(refuse.num_calls(), 1, "no second call after a refusal");
    }

    #[test]
    fn region_disabled_says_which_region() {
        let disabled = mock!(Client::assume_role).then_error(|| {
            AssumeRoleError::RegionDisabledException(
                aws_sdk_sts::types::error::RegionDisabledException::builder()
                    .message("STS is not activated in this region for account:111111111111.")
                    .meta(
                        ErrorMetadata::builder()
                            .code("RegionDisabledException")
                            .build(),
                    )
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&disabled]);
        let failure = block_on(validate_one(
            &base(),
            &client,
            role_request(),
            Some(Ok(CALLER.into())),
        ))
        .unwrap_err();
        assert_eq!(failure.diagnostic.kind, DiagnosticKind::AwsRegionDisabled);
        assert!(
            failure
                .diagnostic
                .message
                .contains("region us-east-1 for account 111111111111"),
            "{}",
            failure.diagnostic.message
        );
    }

    /// What goes on the wire, and an error body the SDK cannot read (moto's EC2-style 403):
    /// the code still comes out, from the raw body.
    #[test]
    fn wire_parameters_and_unreadable_error_bodies() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User is not authorized</Message>\
                    </Error></Errors><RequestId>r1</RequestId></ErrorResponse>";
        let replay = StaticReplayClient::new(vec![ReplayEvent::new(
            http::Request::builder()
                .uri("https://sts.us-east-1.amazonaws.com/")
                .body(SdkBody::empty())
                .unwrap(),
            http::Response::builder()
                .status(403)
                .body(SdkBody::from(body))
                .unwrap(),
        )]);
        let config = aws_sdk_sts::Config::builder()
            .behavior_version_latest()
            .region(Region::new("us-east-1"))
            .credentials_provider(StaticCredentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .http_client(replay.clone())
            .build();
        let client = Client::from_conf(config);
        let err = block_on(
            client
                .assume_role()
                .role_arn(ROLE)
                .role_session_name(session_name("lake"))
                .external_id("a1b2c3d4")
                .duration_seconds(DURATION_SECONDS)
                .send(),
        )
        .unwrap_err();
        assert_eq!(
            super::super::diagnose::error_code(&err).as_deref(),
            Some("AccessDenied")
        );
        let sent = replay.actual_requests().next().expect("one request");
        let form = std::str::from_utf8(sent.body().bytes().expect("body")).unwrap();
        for part in [
            "Action=AssumeRole",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Flake-reader",
            "RoleSessionName=connsql-lake",
            "ExternalId=a1b2c3d4",
            "DurationSeconds=900",
        ] {
            assert!(form.contains(part), "{part} not in {form}");
        }
    }
}
