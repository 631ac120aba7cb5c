//! The S3 REST protocol, path-style: `ListBuckets`, `ListObjectsV2`, `HeadBucket`,
//! `GetObject`, `HeadObject`, `PutObject` and `DeleteObject`, each authorised against the
//! caller's permissions and session policy (`access`), with S3's error shapes: `AccessDenied`
//! naming the action and resource, `NoSuchBucket`, `PermanentRedirect` with the bucket's region,
//! and KMS refusals for buckets encrypted with a key the caller may not use.

use std::collections::{BTreeMap, HashMap};

use crate::access::{Ask, authorize};
use crate::sigv4::Authorization;
use crate::sts::{Answer, Request, Sts, xml_escape};

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The buckets' objects: bucket → key → body.
pub type Objects = HashMap<String, BTreeMap<String, Vec<u8>>>;

/// Who is calling: the ARN, its permissions policy and its session policy.
pub struct Caller {
    pub arn: String,
    pub permissions: Option<serde_json::Value>,
    pub session_policy: Option<String>,
}

impl Sts {
    pub fn handle_s3(
        &self,
        req: &Request<'_>,
        auth: &Authorization,
        caller: &Caller,
        request_id: &str,
    ) -> Answer {
        let err = |status: u16, code: &str, message: &str, extra: &str| {
            Answer::Http {
            status,
            headers: vec![("x-amz-request-id".into(), request_id.to_string())],
            body: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message>{extra}<RequestId>{request_id}</RequestId></Error>",
                xml_escape(message)
            )
            .into_bytes(),
        }
        };
        let query: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
            .into_owned()
            .collect();
        let path = req.path.trim_start_matches('/');
        let (bucket, key) = match path.split_once('/') {
            Some((b, k)) => (b.to_string(), percent_decode(k)),
            None => (path.to_string(), String::new()),
        };
        let denied = |action: &str, resource: &str, prefix: Option<&str>| {
            authorize(
                caller.permissions.as_ref(),
                caller.session_policy.as_deref(),
                &Ask {
                    action,
                    resource,
                    prefix,
                },
            )
            .err()
            .map(|refusal| {
                err(
                    403,
                    "AccessDenied",
                    &format!(
                        "User: {} is not authorized to perform: {action} on resource: \"{resource}\" {}",
                        caller.arn,
                        refusal.reason(action)
                    ),
                    "",
                )
            })
        };
        if bucket.is_empty() {
            if req.method != "GET" {
                return err(
                    405,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                    "",
                );
            }
            if let Some(answer) = denied("s3:ListAllMyBuckets", "*", None) {
                return answer;
            }
            let buckets: String = self
                .world
                .buckets
                .iter()
                .map(|b| {
                    format!(
                        "<Bucket><Name>{}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>",
                        xml_escape(&b.name)
                    )
                })
                .collect();
            return xml(
                200,
                request_id,
                format!(
                    "<ListAllMyBucketsResult xmlns=\"{NS}\"><Owner><ID>emulator</ID><DisplayName>emulator</DisplayName></Owner>\
                     <Buckets>{buckets}</Buckets></ListAllMyBucketsResult>"
                ),
            );
        }
        let Some(found) = self.world.bucket(&bucket) else {
            return err(
                404,
                "NoSuchBucket",
                "The specified bucket does not exist",
                &format!("<BucketName>{}</BucketName>", xml_escape(&bucket)),
            );
        };
        if found.region != auth.region {
            // S3 answers a request signed for another region with a redirect naming the
            // bucket's region in a header (and, but for HEAD, in the body).
            let mut answer = err(
                301,
                "PermanentRedirect",
                "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
                &format!(
                    "<Endpoint>s3.{}.amazonaws.com</Endpoint><Bucket>{}</Bucket>",
                    found.region,
                    xml_escape(&bucket)
                ),
            );
            if let Answer::Http { headers, body, .. } = &mut answer {
                headers.push(("x-amz-bucket-region".into(), found.region.clone()));
                if req.method == "HEAD" {
                    body.clear();
                }
            }
            return answer;
        }
        let bucket_arn = format!("arn:aws:s3:::{bucket}");
        let object_arn = format!("arn:aws:s3:::{bucket}/{key}");
        let kms_refused = |action: &str| {
            let key_arn = found.kms_key.as_deref()?;
            denied(action, key_arn, None).map(|_| {
                err(
                    403,
                    "AccessDenied",
                    &format!(
                        "User: {} is not authorized to perform: {action} on resource: {key_arn} because no identity-based policy allows the {action} action",
                        caller.arn
                    ),
                    "",
                )
            })
        };
        match (req.method, key.is_empty()) {
            // HeadBucket is authorised as s3:ListBucket, with no `s3:prefix` in the request.
            ("HEAD", true) => {
                if let Some(answer) = denied("s3:ListBucket", &bucket_arn, None) {
                    return strip_body(answer);
                }
                Answer::Http {
                    status: 200,
                    headers: vec![
                        ("x-amz-request-id".into(), request_id.to_string()),
                        ("x-amz-bucket-region".into(), found.region.clone()),
                    ],
                    body: Vec::new(),
                }
            }
            ("GET", true) if query.contains_key("location") => {
                if let Some(answer) = denied("s3:GetBucketLocation", &bucket_arn, None) {
                    return answer;
                }
                let region = if found.region == "us-east-1" {
                    String::new()
                } else {
                    found.region.clone()
                };
                xml(
                    200,
                    request_id,
                    format!("<LocationConstraint xmlns=\"{NS}\">{region}</LocationConstraint>"),
                )
            }
            ("GET", true) => {
                let prefix = query.get("prefix").cloned().unwrap_or_default();
                if let Some(answer) = denied("s3:ListBucket", &bucket_arn, Some(&prefix)) {
                    return answer;
                }
                let max: usize = query
                    .get("max-keys")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(1000);
                let delimiter = query.get("delimiter").filter(|d| !d.is_empty());
                let objects = self.objects.lock().map(|o| o.clone()).unwrap_or_default();
                let mut contents = String::new();
                let mut prefixes: Vec<String> = Vec::new();
                let mut count = 0;
                let mut truncated = false;
                for (k, body) in objects.get(&bucket).into_iter().flatten() {
                    let Some(rest) = k.strip_prefix(prefix.as_str()) else {
                        continue;
                    };
                    if count == max {
                        truncated = true;
                        break;
                    }
                    if let Some(d) = delimiter
                        && let Some(at) = rest.find(d.as_str())
                    {
                        let common = format!("{prefix}{}", &rest[..at + d.len()]);
                        if !prefixes.contains(&common) {
                            prefixes.push(common);
                            count += 1;
                        }
                        continue;
                    }
                    count += 1;
                    contents.push_str(&format!(
                        "<Contents><Key>{}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"{}\"</ETag>\
                         <Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                        xml_escape(k),
                        etag(body),
                        body.len()
                    ));
                }
                let common: String = prefixes
                    .iter()
                    .map(|p| {
                        format!(
                            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                            xml_escape(p)
                        )
                    })
                    .collect();
                xml(
                    200,
                    request_id,
                    format!(
                        "<ListBucketResult xmlns=\"{NS}\"><Name>{}</Name><Prefix>{}</Prefix><KeyCount>{count}</KeyCount>\
                         <MaxKeys>{max}</MaxKeys><IsTruncated>{truncated}</IsTruncated>{contents}{common}</ListBucketResult>",
                        xml_escape(&bucket),
                        xml_escape(&prefix)
                    ),
                )
            }
            ("GET" | "HEAD", false) => {
                if let Some(answer) = denied("s3:GetObject", &object_arn, None) {
                    return if req.method == "HEAD" {
                        strip_body(answer)
                    } else {
                        answer
                    };
                }
                let body = self
                    .objects
                    .lock()
                    .ok()
                    .and_then(|o| o.get(&bucket).and_then(|b| b.get(&key)).cloned());
                let Some(body) = body else {
                    let answer = err(
                        404,
                        "NoSuchKey",
                        "The specified key does not exist.",
                        &format!("<Key>{}</Key>", xml_escape(&key)),
                    );
                    return if req.method == "HEAD" {
                        strip_body(answer)
                    } else {
                        answer
                    };
                };
                if let Some(answer) = kms_refused("kms:Decrypt") {
                    return if req.method == "HEAD" {
                        strip_body(answer)
                    } else {
                        answer
                    };
                }
                let mut headers = vec![
                    ("x-amz-request-id".into(), request_id.to_string()),
                    ("etag".into(), format!("\"{}\"", etag(&body))),
                    (
                        "last-modified".into(),
                        "Mon, 01 Jan 2024 00:00:00 GMT".into(),
                    ),
                    ("content-type".into(), "binary/octet-stream".into()),
                    // HEAD answers say the size too; clients read it from there.
                    ("content-length".into(), body.len().to_string()),
                ];
                if let Some(k) = &found.kms_key {
                    headers.push(("x-amz-server-side-encryption".into(), "aws:kms".into()));
                    headers.push((
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        k.clone(),
                    ));
                }
                Answer::Http {
                    status: 200,
                    headers,
                    body: if req.method == "HEAD" {
                        Vec::new()
                    } else {
                        body
                    },
                }
            }
            ("PUT", false) => {
                if let Some(answer) = denied("s3:PutObject", &object_arn, None) {
                    return answer;
                }
                if let Some(answer) = kms_refused("kms:GenerateDataKey") {
                    return answer;
                }
                let body = decode_body(req);
                let tag = etag(&body);
                if let Ok(mut objects) = self.objects.lock() {
                    objects.entry(bucket.clone()).or_default().insert(key, body);
                }
                Answer::Http {
                    status: 200,
                    headers: vec![
                        ("x-amz-request-id".into(), request_id.to_string()),
                        ("etag".into(), format!("\"{tag}\"")),
                    ],
                    body: Vec::new(),
                }
            }
            ("DELETE", false) => {
                if let Some(answer) = denied("s3:DeleteObject", &object_arn, None) {
                    return answer;
                }
                if let Ok(mut objects) = self.objects.lock()
                    && let Some(b) = objects.get_mut(&bucket)
                {
                    b.remove(&key);
                }
                Answer::Http {
                    status: 204,
                    headers: vec![("x-amz-request-id".into(), request_id.to_string())],
                    body: Vec::new(),
                }
            }
            _ => err(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                "",
            ),
        }
    }
}

fn xml(status: u16, request_id: &str, body: String) -> Answer {
    Answer::Http {
        status,
        headers: vec![
            ("x-amz-request-id".into(), request_id.to_string()),
            ("content-type".into(), "application/xml".into()),
        ],
        body: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}").into_bytes(),
    }
}

/// A HEAD answer carries no body, only the status.
fn strip_body(mut answer: Answer) -> Answer {
    if let Answer::Http { body, .. } = &mut answer {
        body.clear();
    }
    answer
}

/// Not MD5, but stable and of the same shape: enough for clients that only echo it.
fn etag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("k={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The object's bytes: the body as sent, or decoded from `aws-chunked` framing
/// (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>`), which newer SDKs use.
fn decode_body(req: &Request<'_>) -> Vec<u8> {
    let chunked = (req.header)("content-encoding").is_some_and(|e| e.contains("aws-chunked"))
        || (req.header)("x-amz-content-sha256").is_some_and(|h| h.starts_with("STREAMING-"));
    if !chunked {
        return req.body.to_vec();
    }
    let mut out = Vec::new();
    let mut rest = req.body;
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&rest[..eol]);
        let size =
            usize::from_str_radix(line.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        rest = &rest[eol + 2..];
        if size == 0 || size > rest.len() {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
    out
}
