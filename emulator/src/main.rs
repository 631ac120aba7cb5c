//! `connsql-sts-emulator`: a local STS and S3 for tests and for trying connsql without AWS. It
//! speaks the STS query protocol and S3's REST protocol (path-style) on loopback, enforces each
//! role's trust rules and permissions and each session's policy, refuses disabled regions,
//! redirects requests for buckets of other regions, and injects latency and faults. connsql
//! reaches it through `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL_S3`.

mod access;
mod config;
mod s3;
mod sigv4;
mod sts;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Parser;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use config::{Fault, World};
use sts::{Answer, Sts};

#[derive(Debug, Parser)]
#[command(
    name = "connsql-sts-emulator",
    version,
    about = "A local AWS STS for tests and demos (loopback only)"
)]
struct Args {
    /// The world: users, roles and their trust rules, disabled regions (JSON)
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Loopback address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port (0 picks a free one; the chosen address is printed on the first line)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Latency added to every answer, overriding the config's latency_ms
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
}

/// Requests counted for `GET /_emulator/stats`.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

struct Server {
    sts: Sts,
    latency: Duration,
    stats: Stats,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if !args.bind.is_loopback() {
        eprintln!(
            "connsql-sts-emulator: {} is not a loopback address; the emulator only listens on loopback",
            args.bind
        );
        return std::process::ExitCode::from(2);
    }
    let world: World = match std::fs::read_to_string(&args.config)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "connsql-sts-emulator: cannot load {}: {e}",
                args.config.display()
            );
            return std::process::ExitCode::from(2);
        }
    };
    let latency = Duration::from_millis(args.latency_ms.unwrap_or(world.latency_ms));
    let server = Arc::new(Server {
        sts: Sts::new(world),
        latency,
        stats: Stats::default(),
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("connsql-sts-emulator: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match runtime.block_on(serve(server, SocketAddr::new(args.bind, args.port))) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connsql-sts-emulator: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn serve(server: Arc<Server>, addr: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    use std::io::Write;
    std::io::stdout().flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        let server = server.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let server = server.clone();
                async move { server.answer(req).await }
            });
            // A connection ends with an error when a fault drops it: nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

impl Server {
    async fn answer(&self, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
        if req.uri().path() == "/_emulator/stats" {
            let body = serde_json::json!({
                "requests": self.stats.requests.load(Ordering::Relaxed),
                "in_flight": self.stats.in_flight.load(Ordering::Relaxed),
                "peak_in_flight": self.stats.peak_in_flight.load(Ordering::Relaxed),
                "actions": self.sts.action_counts(),
            });
            return Ok(respond(200, "application/json", body.to_string(), None));
        }
        if req.uri().path() == "/_emulator/assumed" {
            let body = serde_json::to_string(&self.sts.assumed()).unwrap_or_default();
            return Ok(respond(200, "application/json", body, None));
        }
        // What the emulator issued to a key: its identity and session policy, for tests that
        // check what a client asked for.
        if let Some(key) = req.uri().path().strip_prefix("/_emulator/sessions/") {
            return Ok(match self.sts.session(key) {
                Some(s) => respond(
                    200,
                    "application/json",
                    serde_json::json!({
                        "arn": s.arn, "role": s.role, "user": s.user, "policy": s.policy,
                        "source_identity": s.source_identity,
                    })
                    .to_string(),
                    None,
                ),
                None => respond(404, "text/plain", "no such key".into(), None),
            });
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let now = self.stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.stats.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        let result = self.answer_sts(req).await;
        self.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }

    async fn answer_sts(&self, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, 64 * 1024).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return Ok(respond(413, "text/plain", "request too large".into(), None)),
        };
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let answer = {
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let request = sts::Request {
                method: parts.method.as_str(),
                path: parts.uri.path(),
                query: parts.uri.query().unwrap_or(""),
                header: &header,
                body: &body,
            };
            self.sts.handle(&request)
        };
        match answer {
            Answer::Xml {
                status,
                body,
                request_id,
            } => Ok(respond(status, "text/xml", body, Some(&request_id))),
            Answer::Http {
                status,
                headers,
                body,
            } => {
                let mut builder = Response::builder().status(status);
                for (name, value) in headers {
                    builder = builder.header(name, value);
                }
                Ok(builder
                    .body(Either::Left(Full::new(Bytes::from(body))))
                    .unwrap_or_else(|_| Response::new(Either::Left(Full::new(Bytes::new())))))
            }
            Answer::Fault(Fault::Throttle) => Ok(respond(
                400,
                "text/xml",
                sts::error_body("Throttling", "Rate exceeded", "throttled"),
                Some("throttled"),
            )),
            Answer::Fault(Fault::ServerError) => Ok(respond(
                500,
                "text/xml",
                sts::error_body("InternalFailure", "An internal error occurred", "failed"),
                Some("failed"),
            )),
            Answer::Fault(Fault::Drop) => Err(Dropped),
            Answer::Fault(Fault::EndlessBody) => Ok(Response::builder()
                .status(200)
                .header("content-type", "text/xml")
                .body(Either::Right(Endless))
                .unwrap_or_else(|_| Response::new(Either::Right(Endless)))),
            Answer::Fault(Fault::Bare429) => Ok(respond(429, "text/plain", String::new(), None)),
            Answer::Fault(Fault::ProxyError) => Ok(respond(
                502,
                "text/html",
                "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>".into(),
                None,
            )),
            Answer::Fault(Fault::EmptyCredentials) => Ok(respond(
                200,
                "text/xml",
                assume_role_answer("<AccessKeyId/>", "<SecretAccessKey/>", "<SessionToken/>", &in_an_hour()),
                Some("empty"),
            )),
            Answer::Fault(Fault::TruncatedAnswer) => {
                let whole = assume_role_answer(
                    "<AccessKeyId>ASIATRUNCATED0001</AccessKeyId>",
                    "<SecretAccessKey>TRUNCATEDsecretKEYabcdefghij</SecretAccessKey>",
                    "<SessionToken>truncated-token</SessionToken>",
                    &in_an_hour(),
                );
                let cut = whole.find("KEYabc").unwrap_or(whole.len());
                Ok(respond(200, "text/xml", whole[..cut].to_string(), Some("truncated")))
            }
            Answer::Fault(Fault::ExpiredCredentials) => Ok(respond(
                200,
                "text/xml",
                assume_role_answer(
                    "<AccessKeyId>ASIAEXPIRED000001</AccessKeyId>",
                    "<SecretAccessKey>EXPIREDsecretKEYabcdefghij</SecretAccessKey>",
                    "<SessionToken>expired-token</SessionToken>",
                    "2001-01-01T00:00:00Z",
                ),
                Some("expired"),
            )),
            Answer::Fault(Fault::FarExpiration) => Ok(respond(
                200,
                "text/xml",
                assume_role_answer(
                    "<AccessKeyId>ASIAFOREVER000001</AccessKeyId>",
                    "<SecretAccessKey>FOREVERsecretKEYabcdefghij</SecretAccessKey>",
                    "<SessionToken>forever-token</SessionToken>",
                    "2999-01-01T00:00:00Z",
                ),
                Some("forever"),
            )),
            Answer::Fault(Fault::ErrorWithSecret) => Ok(respond(
                403,
                "text/xml",
                "<ErrorResponse><Error><Type>Sender</Type><Code>MalformedPolicyDocument</Code>\
                 <Message>denied \u{1b}[2J\u{1b}]0;pwned\u{7} by policy</Message></Error>\
                 <Credentials><SecretAccessKey>LEAKEDsecretKEYinERRORbody</SecretAccessKey></Credentials>\
                 <RequestId>leaky</RequestId></ErrorResponse>"
                    .into(),
                Some("leaky"),
            )),
            Answer::Fault(Fault::UnreadableWithSecret) => Ok(respond(
                200,
                "text/xml",
                "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIABROKEN</AccessKeyId>\
                 <SecretAccessKey>LEAKEDsecretKEYinBROKENanswer</SecretAccessKey><Expiration>not a time\
                 </Credentials></AssumeRoleResult>"
                    .into(),
                Some("broken"),
            )),
            Answer::Fault(Fault::Hang) => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Err(Dropped)
            }
        }
    }
}

/// An AssumeRole answer with the given credential elements, for the faults that misshape one.
fn assume_role_answer(key: &str, secret: &str, token: &str, expiration: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials>{key}{secret}{token}<Expiration>{expiration}</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROAFAULT:s</AssumedRoleId>\
         <Arn>arn:aws:sts::123456789012:assumed-role/faulty/s</Arn></AssumedRoleUser></AssumeRoleResult>\
         <ResponseMetadata><RequestId>fault</RequestId></ResponseMetadata></AssumeRoleResponse>"
    )
}

fn in_an_hour() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An answer's body: whole, or endless (a fault).
type Body = Either<Full<Bytes>, Endless>;

/// A body that never ends, 64 KiB at a time.
struct Endless;

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        static CHUNK: [u8; 65536] = [b'x'; 65536];
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(Bytes::from_static(
            &CHUNK,
        )))))
    }
}

fn respond(
    status: u16,
    content_type: &str,
    body: String,
    request_id: Option<&str>,
) -> Response<Body> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", content_type);
    if let Some(id) = request_id {
        builder = builder.header("x-amzn-requestid", id);
    }
    builder
        .body(Either::Left(Full::new(Bytes::from(body))))
        .unwrap_or_else(|_| Response::new(Either::Left(Full::new(Bytes::new()))))
}
