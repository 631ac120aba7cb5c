//! The HTTP client connsql calls AWS with: the SDK's (hyper, rustls on the ring crypto
//! provider), with every answer's body cut off at [`MAX_ANSWER`], so a misbehaving endpoint
//! cannot make connsql read without end. STS and S3 control answers are a few kilobytes.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;

/// The most connsql reads of one answer.
pub const MAX_ANSWER: usize = 1 << 20;

/// The default client, with bounded answers.
pub fn client() -> SharedHttpClient {
    use aws_smithy_http_client::{Builder, tls};
    let inner = Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    SharedHttpClient::new(Bounded { inner })
}

#[derive(Debug)]
struct Bounded {
    inner: SharedHttpClient,
}

impl HttpClient for Bounded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BoundedConnector(
            self.inner.http_connector(settings, components),
        ))
    }
}

#[derive(Debug)]
struct BoundedConnector(SharedHttpConnector);

impl HttpConnector for BoundedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let response = answer.await?;
            Ok(response
                .map(|body| SdkBody::from_body_1_x(http_body_util::Limited::new(body, MAX_ANSWER))))
        })
    }
}

/// Whether an error came from an answer longer than [`MAX_ANSWER`].
pub fn is_oversize(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}
