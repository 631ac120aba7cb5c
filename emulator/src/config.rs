//! The emulator's world: identities with their permissions, roles with their trust rules,
//! buckets with their regions, objects and KMS keys, disabled regions, faults.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Base identities that may call STS, by access key.
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// S3 buckets.
    #[serde(default)]
    pub buckets: Vec<Bucket>,
    /// Regions where STS answers `RegionDisabledException` (read from the SigV4 scope).
    #[serde(default)]
    pub disabled_regions: Vec<String>,
    /// Added to every answer.
    #[serde(default)]
    pub latency_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// e.g. `arn:aws:iam::111111111111:user/ci`
    pub arn: String,
    /// An IAM permissions policy document (`{"Statement": [...]}`); none allows nothing.
    #[serde(default)]
    pub permissions: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub arn: String,
    /// Who may assume the role. No entry means nobody may.
    #[serde(default)]
    pub trust: Vec<Trust>,
    /// The role's permissions policy document; none allows nothing.
    #[serde(default)]
    pub permissions: Option<serde_json::Value>,
    /// The longest session, in seconds (IAM's `MaxSessionDuration`: 3600 to 43200).
    #[serde(default = "hour")]
    pub max_session_seconds: i64,
    /// Misbehaviour for the first `fault_count` requests naming this role.
    #[serde(default)]
    pub fault: Option<Fault>,
    #[serde(default = "one")]
    pub fault_count: u64,
}

fn one() -> u64 {
    1
}

fn hour() -> i64 {
    3600
}

/// One trust-policy statement: `Principal` and an optional `StringEquals sts:ExternalId`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// A caller ARN, an account root (`arn:aws:iam::<account>:root` trusts every identity of
    /// the account), or `*`.
    pub principal: String,
    /// When set, the call must carry exactly this external ID; a call without one is refused.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Whether the statement also allows `sts:SetSourceIdentity`: a call that sets a
    /// `SourceIdentity` needs a statement allowing both, as in IAM.
    #[serde(default)]
    pub set_source_identity: bool,
}

/// An S3 bucket.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    #[serde(default = "us_east_1")]
    pub region: String,
    /// Keys of the objects it holds (empty bodies).
    #[serde(default)]
    pub objects: Vec<String>,
    /// Default encryption with this KMS key: reading its objects needs `kms:Decrypt` on it,
    /// writing needs `kms:GenerateDataKey`.
    #[serde(default)]
    pub kms_key: Option<String>,
}

fn us_east_1() -> String {
    "us-east-1".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 400 `Throttling`.
    Throttle,
    /// HTTP 500 `InternalFailure`.
    ServerError,
    /// The connection is closed without an answer.
    Drop,
    /// No answer for a minute.
    Hang,
    /// HTTP 200 with a body that never ends.
    EndlessBody,
    /// HTTP 429 with no body at all (no AWS error code).
    Bare429,
    /// HTTP 502 with an HTML page (no AWS error code), as a proxy in the way would answer.
    ProxyError,
    /// HTTP 200 whose credentials are empty elements (`<AccessKeyId/>`, …).
    EmptyCredentials,
    /// HTTP 200 whose body stops in the middle of the secret access key.
    TruncatedAnswer,
    /// HTTP 200 with credentials that expired in 2001.
    ExpiredCredentials,
    /// HTTP 200 with credentials that expire in 2999.
    FarExpiration,
    /// HTTP 403 whose `<Error>` message holds terminal escapes and a NUL, and whose body holds
    /// credentials besides.
    ErrorWithSecret,
    /// HTTP 200 whose XML does not parse, with a secret access key inside.
    UnreadableWithSecret,
}

impl World {
    pub fn user_by_key(&self, key: &str) -> Option<&User> {
        self.users.iter().find(|u| u.access_key_id == key)
    }

    pub fn role(&self, arn: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.arn == arn)
    }

    pub fn user_by_arn(&self, arn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.arn == arn)
    }

    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }
}

impl Trust {
    /// Whether this statement lets `caller` assume the role with `external_id`.
    pub fn allows(&self, caller: &str, external_id: Option<&str>) -> bool {
        let principal_ok = self.principal == "*" || self.principal == caller || {
            let account = caller.split(':').nth(4).unwrap_or("");
            self.principal.ends_with(":root") && self.principal.split(':').nth(4) == Some(account)
        };
        // StringEquals on a key the request lacks does not match: no ID, no entry.
        let condition_ok = match &self.external_id {
            None => true,
            Some(required) => external_id == Some(required.as_str()),
        };
        principal_ok && condition_ok
    }
}
