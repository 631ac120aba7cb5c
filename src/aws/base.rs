//! The base AWS configuration connsql calls STS with: the standard chains for credentials and
//! region, with instance-metadata probing bounded so a host without it answers in seconds.

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;

use crate::sql::Span;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};

/// How long resolving the base region and credentials may take in all. The chains end with
/// the instance-metadata service; where its packets are dropped, each probe would otherwise
/// wait 1 s per attempt, several times over.
pub const RESOLVE_DEADLINE: Duration = Duration::from_millis(2500);

/// Per-probe limits of the instance-metadata client: one attempt, short timeouts.
const IMDS_TIMEOUT: Duration = Duration::from_millis(900);

/// Attempts per STS call: throttling, 5xx and dropped connections are retried, all within the
/// one `--timeout` of the call.
pub const MAX_ATTEMPTS: u32 = 3;

/// The resolved base configuration.
#[derive(Clone, Debug)]
pub struct Base {
    pub config: SdkConfig,
    pub region: Region,
    /// The STS endpoint calls go to, for messages.
    pub endpoint: String,
    pub timeout: Duration,
}

/// Loads the base configuration; fails with a diagnostic a user can act on when no region or
/// no credentials can be found.
pub async fn load(timeout: Duration) -> Result<Base, Diagnostic> {
    match tokio::time::timeout(RESOLVE_DEADLINE, load_inner(timeout)).await {
        Ok(result) => result,
        Err(_) => Err(Diagnostic::error(
            DiagnosticKind::AwsNoCredentials,
            Span::default(),
            format!("no AWS credentials or region could be found within {:.1} s", RESOLVE_DEADLINE.as_secs_f64()),
        )
        .with_help(
            "the instance metadata service did not answer: set AWS_REGION and credentials (AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), set AWS_EC2_METADATA_DISABLED=true off EC2, or use --no-validate",
        )),
    }
}

async fn load_inner(timeout: Duration) -> Result<Base, Diagnostic> {
    check_profile().await?;
    // Every provider that calls out (instance metadata, SSO, web identity) uses connsql's own
    // HTTP client: the SDK's default client is not built in.
    let http = super::http::client();
    let providers =
        aws_config::provider_config::ProviderConfig::default().with_http_client(http.clone());
    let imds = aws_config::imds::Client::builder()
        .configure(&providers)
        .max_attempts(1)
        .connect_timeout(IMDS_TIMEOUT)
        .read_timeout(IMDS_TIMEOUT)
        .operation_timeout(IMDS_TIMEOUT)
        .build();
    let region_chain = RegionProviderChain::first_try(
        aws_config::environment::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(aws_config::profile::ProfileFileRegionProvider::new())
    .or_else(
        aws_config::imds::region::ImdsRegionProvider::builder()
            .configure(&providers)
            .imds_client(imds.clone())
            .build(),
    );
    // An empty AWS_REGION counts as none, not as a region named "".
    let Some(region) = region_chain
        .region()
        .await
        .filter(|r| !r.as_ref().is_empty())
    else {
        return Err(Diagnostic::error(DiagnosticKind::AwsNoRegion, Span::default(), "no AWS region is set")
            .with_help("set AWS_REGION (for example AWS_REGION=us-east-1) or `region` in your AWS profile, or use --no-validate"));
    };
    let credentials = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
        .configure(providers.clone())
        .region(region.clone())
        .imds_client(imds)
        .build()
        .await;
    if let Err(e) = credentials.provide_credentials().await {
        return Err(Diagnostic::error(DiagnosticKind::AwsNoCredentials, Span::default(), "no AWS credentials were found")
            .with_label("no source in the standard chain had credentials")
            .with_note(one_line(&aws_smithy_types::error::display::DisplayErrorContext(&e).to_string()))
            .with_help(
                "connsql calls STS with the standard AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                 or AWS_PROFILE (run `aws sso login` for SSO profiles); or skip validation with --no-validate",
            ));
    }
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(region.clone())
        .credentials_provider(credentials)
        // `--timeout` bounds a whole call, retries included.
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout)
                .operation_attempt_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        )
        .http_client(http)
        // Short backoffs, so the retries fit inside the one bound of --timeout.
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(timeout / 4),
        )
        .load()
        .await;
    // The SDK resolves the same settings in this order; this copy is only for messages.
    let endpoint = std::env::var("AWS_ENDPOINT_URL_STS")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| config.endpoint_url().map(str::to_string))
        .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com"));
    Ok(Base {
        config,
        region,
        endpoint,
        timeout,
    })
}

/// The region the standard settings name (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
/// `region`), without asking the instance-metadata service: for printed configuration.
pub fn configured_region() -> Option<String> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = std::env::var(var).ok().filter(|r| !r.is_empty()) {
            return Some(r);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async {
        use aws_config::meta::region::ProvideRegion;
        aws_config::profile::ProfileFileRegionProvider::new()
            .region()
            .await
            .map(|r| r.to_string())
            .filter(|r| !r.is_empty())
    })
}

/// A named profile (`AWS_PROFILE`) that no config file defines is named as the cause, with the
/// files looked in, before anything else fails for want of its region or credentials.
async fn check_profile() -> Result<(), Diagnostic> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let Some(name) = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let files = |var: &str, default: &str| {
        std::env::var(var)
            .ok()
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let config = files("AWS_CONFIG_FILE", "~/.aws/config");
    let credentials = files("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await;
    let (defined, known) = match &set {
        Ok(set) => (
            set.get_profile(&name).is_some(),
            set.profiles().map(str::to_string).collect::<Vec<_>>(),
        ),
        Err(_) => (false, Vec::new()),
    };
    if defined {
        return Ok(());
    }
    let mut help = "set AWS_PROFILE to a profile those files define, or unset it".to_string();
    if !known.is_empty() {
        help.push_str(&format!(" (defined: {})", known.join(", ")));
    }
    let mut diag = Diagnostic::error(
        DiagnosticKind::AwsNoCredentials,
        Span::default(),
        format!(
            "AWS_PROFILE names profile `{name}`, which is not defined in {config} or {credentials}"
        ),
    )
    .with_help(help);
    if let Err(e) = set {
        diag = diag.with_note(one_line(&e.to_string()));
    }
    Err(diag)
}

/// The text on one line, whitespace folded, cut at 400 characters.
fn one_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 400 {
        format!("{}…", line.chars().take(400).collect::<String>())
    } else {
        line
    }
}
