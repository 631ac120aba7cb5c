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
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::values::is_iam_name_char;
use crate::sql::{Credentials, Span};
use crate::validation::{
    ValidationFailure, ValidationReport, ValidationRequest, ValidationResult, Validator,
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
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    Diagnostic::error(
                        DiagnosticKind::AwsError,
                        Span::default(),
                        format!("cannot start the async runtime: {e}"),
                    )
                })?;
            let timeout = self.options.timeout;
            let base = runtime.block_on(base::load(timeout)).map(|base| {
                let client = Client::new(&base.config);
                (base, client)
            });
            Ok(State { runtime, base })
        });
        let state = state.as_ref().map_err(|d| ValidationFailure {
            diagnostic: Box::new(d.clone()),
            target: None,
        })?;
        match &state.base {
            Ok(_) => Ok(state),
            Err(d) => Err(ValidationFailure {
                diagnostic: Box::new(d.clone()),
                target: None,
            }),
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
        let results = state.runtime.block_on(async {
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
        });
        progress.finish_and_clear();
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(ValidationFailure {
                        diagnostic: Box::new(Diagnostic::error(
                            DiagnosticKind::AwsError,
                            Span::default(),
                            "the validation task failed",
                        )),
                        target: None,
                    })
                })
            })
            .collect()
    }

    fn caller_arn(&self) -> Result<String, ValidationFailure> {
        let state = self.state()?;
        let Ok((base, client)) = &state.base else {
            unreachable!("state() checked the base")
        };
        state.runtime.block_on(self.caller(base, client))
    }
}

async fn validate_one(
    base: &Base,
    client: &Client,
    request: ValidationRequest,
    caller: Option<Result<String, ValidationFailure>>,
) -> ValidationResult {
    match &request.credentials {
        Credentials::Default => {
            let caller =
                caller.unwrap_or_else(|| unreachable!("default connections fetch the caller"))?;
            Ok(ValidationReport {
                caller_arn: Some(caller),
                assumed_role_arn: None,
                warnings: Vec::new(),
            })
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
                aws_sdk_sts::config::Builder::from(&base.config)
                    .credentials_provider(creds)
                    .build(),
            );
            match keyed.get_caller_identity().send().await {
                Ok(out) => Ok(ValidationReport {
                    caller_arn: out.arn().map(str::to_string),
                    assumed_role_arn: None,
                    warnings: Vec::new(),
                }),
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
                .duration_seconds(DURATION_SECONDS)
                .send()
                .await;
            let assumed_arn = match assumed {
                Ok(out) => out.assumed_role_user().map(|u| u.arn().to_string()),
                Err(e) => {
                    let call = Call::AssumeRole {
                        role_arn: arn.as_str(),
                        external_id: external,
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
            Ok(ValidationReport {
                caller_arn: Some(caller),
                assumed_role_arn: assumed_arn,
                warnings,
            })
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
