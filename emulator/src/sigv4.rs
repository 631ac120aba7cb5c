//! Checks AWS Signature Version 4 on a request, as STS does, and reads the credential scope.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(header: &str) -> Option<Authorization> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256")?.trim();
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    let [key, date, region, service, "aws4_request"] = scope.as_slice() else {
        return None;
    };
    Some(Authorization {
        access_key_id: key.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed?.split(';').map(str::to_string).collect(),
        signature: signature?.to_string(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `auth.signature` is the signature of this request under `secret`.
pub fn verify(
    auth: &Authorization,
    secret: &str,
    method: &str,
    path: &str,
    query: &str,
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
) -> bool {
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = header(name).unwrap_or_default();
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let payload_hash = header("x-amz-content-sha256").unwrap_or_else(|| hex(&Sha256::digest(body)));
    // `?location` is signed as `location=`.
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.contains('=') {
                p.to_string()
            } else {
                format!("{p}=")
            }
        })
        .collect();
    pairs.sort_unstable();
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        if path.is_empty() { "/" } else { path },
        pairs.join("&"),
        auth.signed_headers.join(";"),
    );
    let Some(amz_date) = header("x-amz-date") else {
        return false;
    };
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    for part in [auth.region.as_str(), auth.service.as_str(), "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex(&hmac(&key, string_to_sign.as_bytes())) == auth.signature
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scope() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-south-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab",
        )
        .unwrap();
        assert_eq!(
            (a.access_key_id.as_str(), a.region.as_str()),
            ("AKID", "eu-south-1")
        );
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
    }

    /// The example of AWS's SigV4 documentation (IAM ListUsers, GET).
    #[test]
    fn verifies_the_documented_example() {
        let auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        let headers = |name: &str| match name {
            "content-type" => Some("application/x-www-form-urlencoded; charset=utf-8".to_string()),
            "host" => Some("iam.amazonaws.com".to_string()),
            "x-amz-date" => Some("20150830T123600Z".to_string()),
            _ => None,
        };
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let query = "Action=ListUsers&Version=2010-05-08";
        assert!(verify(&auth, secret, "GET", "/", query, headers, b""));
        assert!(!verify(&auth, "wrong", "GET", "/", query, headers, b""));
    }
}
