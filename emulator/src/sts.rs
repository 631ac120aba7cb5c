//! The STS query protocol: `AssumeRole`, `GetCallerIdentity`, `GetSessionToken` and
//! `GetFederationToken` answered from the `World`, with AWS's XML shapes, error bodies
//! (`ErrorResponse/Error/Code`) and parameter rules. Issued credentials remember their identity
//! and session policy, for the S3 side to enforce.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Fault, World};
use crate::sigv4;

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// What to send back.
#[derive(Debug)]
pub enum Answer {
    Xml {
        status: u16,
        body: String,
        request_id: String,
    },
    /// Any HTTP answer (S3's): status, headers, body.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Fault(Fault),
}

/// A request as the server received it.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub header: &'a dyn Fn(&str) -> Option<String>,
    pub body: &'a [u8],
}

/// Temporary credentials the emulator issued.
#[derive(Clone, Debug)]
pub struct Session {
    pub secret: String,
    /// The assumed-role or federated-user ARN.
    pub arn: String,
    /// The role assumed, for its permissions; `None` for a user's session or federation token.
    pub role: Option<String>,
    /// The user whose keys made a session or federation token.
    pub user: Option<String>,
    /// The session policy passed with the call (JSON), which narrows the permissions.
    pub policy: Option<String>,
    /// The `SourceIdentity` set when the role was assumed.
    pub source_identity: Option<String>,
}

/// One AssumeRole call the emulator granted, for tests that check what a client sent.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Assumed {
    pub role: String,
    pub session_name: String,
    pub external_id: Option<String>,
    pub source_identity: Option<String>,
}

/// The plain-text limit of a session policy.
const POLICY_MAX: usize = 2048;

/// The emulator's state: the world and what it has issued and counted.
pub struct Sts {
    pub world: World,
    /// Temporary credentials issued: access key → session.
    issued: Mutex<HashMap<String, Session>>,
    /// Calls answered, by action.
    actions: Mutex<HashMap<String, u64>>,
    /// The buckets' objects.
    pub objects: Mutex<crate::s3::Objects>,
    faults_served: Mutex<HashMap<String, u64>>,
    counter: AtomicU64,
    /// Every AssumeRole granted, in order.
    assumed: Mutex<Vec<Assumed>>,
}

impl Sts {
    pub fn new(world: World) -> Self {
        let objects = world
            .buckets
            .iter()
            .map(|b| {
                let keys = b.objects.iter().map(|k| (k.clone(), Vec::new())).collect();
                (b.name.clone(), keys)
            })
            .collect();
        Sts {
            world,
            issued: Mutex::new(HashMap::new()),
            actions: Mutex::new(HashMap::new()),
            objects: Mutex::new(objects),
            faults_served: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(0),
            assumed: Mutex::new(Vec::new()),
        }
    }

    /// Every AssumeRole granted so far.
    pub fn assumed(&self) -> Vec<Assumed> {
        self.assumed.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Calls so far, by action.
    pub fn action_counts(&self) -> HashMap<String, u64> {
        self.actions.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The session of temporary credentials, by access key.
    pub fn session(&self, access_key_id: &str) -> Option<Session> {
        self.issued.lock().ok()?.get(access_key_id).cloned()
    }

    fn issue(&self, session: Session, duration: i64, n: u64) -> (String, String, String, String) {
        let key = format!("ASIAEMULATOR{n:08}");
        let secret = session.secret.clone();
        if let Ok(mut issued) = self.issued.lock() {
            issued.insert(key.clone(), session);
        }
        let expiration = time::OffsetDateTime::now_utc() + time::Duration::seconds(duration);
        let expiration = expiration
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        (key, secret, format!("emulated-token-{n}"), expiration)
    }

    /// The permissions and session policy of the key that signed an S3 request.
    fn s3_caller(&self, access_key_id: &str, arn: &str) -> crate::s3::Caller {
        let user_permissions = |user: &str| {
            self.world
                .user_by_arn(user)
                .and_then(|u| u.permissions.clone())
        };
        match self.session(access_key_id) {
            Some(session) => crate::s3::Caller {
                arn: session.arn.clone(),
                permissions: match (&session.role, &session.user) {
                    (Some(role), _) => self.world.role(role).and_then(|r| r.permissions.clone()),
                    (None, Some(user)) => user_permissions(user),
                    (None, None) => None,
                },
                session_policy: session.policy.clone(),
            },
            None => crate::s3::Caller {
                arn: arn.to_string(),
                permissions: user_permissions(arn),
                session_policy: None,
            },
        }
    }

    fn next_id(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn handle(&self, req: &Request<'_>) -> Answer {
        let request_id = format!("00000000-0000-4000-8000-{:012x}", self.next_id());
        let err = |status: u16, code: &str, message: &str| {
            error_answer(status, code, message, &request_id)
        };
        let mut params: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
            .into_owned()
            .collect();
        if req.method == "POST" {
            params.extend(form_urlencoded::parse(req.body).into_owned());
        }
        // Who is calling, and from which region.
        let Some(auth) = (req.header)("authorization").and_then(|h| sigv4::parse_authorization(&h))
        else {
            return err(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            );
        };
        let (secret, caller, is_user) = match self.world.user_by_key(&auth.access_key_id) {
            Some(user) => (user.secret_access_key.clone(), user.arn.clone(), true),
            None => match self.session(&auth.access_key_id) {
                Some(found) => (found.secret, found.arn, false),
                None => {
                    return err(
                        403,
                        "InvalidClientTokenId",
                        "The security token included in the request is invalid.",
                    );
                }
            },
        };
        if !sigv4::verify(
            &auth, &secret, req.method, req.path, req.query, req.header, req.body,
        ) {
            return err(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
            );
        }
        if auth.service == "s3" {
            let s3_caller = self.s3_caller(&auth.access_key_id, &caller);
            let answer = self.handle_s3(req, &auth, &s3_caller, &request_id);
            if let Ok(mut counts) = self.actions.lock() {
                *counts.entry(format!("s3:{}", req.method)).or_insert(0) += 1;
            }
            return answer;
        }
        let account = caller
            .split(':')
            .nth(4)
            .unwrap_or("000000000000")
            .to_string();
        if self.world.disabled_regions.contains(&auth.region) {
            return err(
                403,
                "RegionDisabledException",
                &format!(
                    "STS is not activated in this region for account:{account}. Your account administrator can activate STS in this region using the IAM Console."
                ),
            );
        }
        let action = params.get("Action").cloned().unwrap_or_default();
        if let Ok(mut counts) = self.actions.lock() {
            *counts.entry(action.clone()).or_insert(0) += 1;
        }
        match params.get("Action").map(String::as_str) {
            Some("GetSessionToken" | "GetFederationToken") if !is_user => err(
                403,
                "AccessDenied",
                &format!("Cannot call {action} with session credentials"),
            ),
            Some("GetSessionToken") => self.user_token(&params, &caller, None, &request_id),
            Some("GetFederationToken") => {
                let name = params.get("Name").cloned().unwrap_or_default();
                self.user_token(&params, &caller, Some(&name), &request_id)
            }
            Some("GetCallerIdentity") => {
                let user_id = caller.rsplit('/').next().unwrap_or(&caller).to_string();
                Answer::Xml {
                    status: 200,
                    body: format!(
                        "<GetCallerIdentityResponse xmlns=\"{NS}\"><GetCallerIdentityResult><Arn>{}</Arn><UserId>{}</UserId>\
                         <Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId>\
                         </ResponseMetadata></GetCallerIdentityResponse>",
                        xml_escape(&caller),
                        xml_escape(&user_id),
                    ),
                    request_id,
                }
            }
            Some("AssumeRole") => self.assume_role(&params, &caller, &request_id),
            Some(other) => err(
                400,
                "InvalidAction",
                &format!("Could not find operation {other} for version 2011-06-15"),
            ),
            None => err(400, "MissingAction", "Missing Action"),
        }
    }

    fn assume_role(
        &self,
        params: &HashMap<String, String>,
        caller: &str,
        request_id: &str,
    ) -> Answer {
        let err = |status: u16, code: &str, message: &str| {
            error_answer(status, code, message, request_id)
        };
        let role_arn = params.get("RoleArn").map(String::as_str).unwrap_or("");
        let session = params
            .get("RoleSessionName")
            .map(String::as_str)
            .unwrap_or("");
        let external_id = params.get("ExternalId").map(String::as_str);
        let name_ok = |s: &str, min: usize, max: usize, extra: &[u8]| {
            (min..=max).contains(&s.len())
                && s.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b) || extra.contains(&b)
                })
        };
        if !(20..=2048).contains(&role_arn.len()) {
            return err(
                400,
                "ValidationError",
                "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
            );
        }
        if !name_ok(session, 2, 64, b"") {
            return err(
                400,
                "ValidationError",
                "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            );
        }
        if let Some(id) = external_id
            && !name_ok(id, 2, 1224, b":/")
        {
            return err(
                400,
                "ValidationError",
                "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
            );
        }
        let duration = match duration_seconds(params, 3600, 900..=43200, request_id) {
            Ok(d) => d,
            Err(answer) => return answer,
        };
        let source_identity = params.get("SourceIdentity").cloned();
        if let Some(who) = &source_identity
            && (!name_ok(who, 2, 64, b"") || who.to_ascii_lowercase().starts_with("aws:"))
        {
            return err(
                400,
                "ValidationError",
                "1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            );
        }
        let policy = params.get("Policy").cloned();
        if let Some(answer) = check_policy(policy.as_deref(), request_id) {
            return answer;
        }
        let denied = || {
            err(
                403,
                "AccessDenied",
                &format!(
                    "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
                ),
            )
        };
        let Some(role) = self.world.role(role_arn) else {
            return denied();
        };
        if let Some(fault) = role.fault {
            let mut served = self.faults_served.lock().unwrap_or_else(|e| e.into_inner());
            let n = served.entry(role.arn.clone()).or_insert(0);
            if *n < role.fault_count {
                *n += 1;
                return Answer::Fault(fault);
            }
        }
        if !role.trust.iter().any(|t| t.allows(caller, external_id)) {
            return denied();
        }
        // Setting a source identity is a second action the trust policy must allow.
        if source_identity.is_some()
            && !role
                .trust
                .iter()
                .any(|t| t.set_source_identity && t.allows(caller, external_id))
        {
            return err(
                403,
                "AccessDenied",
                &format!(
                    "User: {caller} is not authorized to perform: sts:SetSourceIdentity on resource: {role_arn}"
                ),
            );
        }
        if duration > role.max_session_seconds {
            return err(
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            );
        }
        let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
        let account = role_arn.split(':').nth(4).unwrap_or("000000000000");
        let assumed = format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}");
        let n = self.next_id();
        let (key, secret, token, expiration) = self.issue(
            Session {
                secret: format!("emulated-secret-{n:08}"),
                arn: assumed.clone(),
                role: Some(role.arn.clone()),
                user: None,
                policy,
                source_identity: source_identity.clone(),
            },
            duration,
            n,
        );
        if let Ok(mut assumed) = self.assumed.lock() {
            assumed.push(Assumed {
                role: role.arn.clone(),
                session_name: session.to_string(),
                external_id: external_id.map(str::to_string),
                source_identity: source_identity.clone(),
            });
        }
        let source_identity_xml = source_identity
            .map(|s| format!("<SourceIdentity>{}</SourceIdentity>", xml_escape(&s)))
            .unwrap_or_default();
        Answer::Xml {
            status: 200,
            body: format!(
                "<AssumeRoleResponse xmlns=\"{NS}\"><AssumeRoleResult><Credentials><AccessKeyId>{key}</AccessKeyId>\
                 <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
                 <Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser>\
                 <AssumedRoleId>AROAEMULATOR{n:08}:{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>{source_identity_xml}</AssumeRoleResult>\
                 <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></AssumeRoleResponse>",
                xml_escape(session),
                xml_escape(&assumed),
            ),
            request_id: request_id.to_string(),
        }
    }
}

/// A session policy STS would refuse: not JSON, or longer than it accepts.
fn check_policy(policy: Option<&str>, request_id: &str) -> Option<Answer> {
    let policy = policy?;
    let err = |code: &str, message: String| error_answer(400, code, &message, request_id);
    if policy.len() > POLICY_MAX {
        return Some(err(
            "PackedPolicyTooLarge",
            format!(
                "Packed policy consumes {}% of allotted space, please use smaller policy.",
                policy.len() * 100 / POLICY_MAX
            ),
        ));
    }
    if serde_json::from_str::<serde_json::Value>(policy).is_err() {
        return Some(err(
            "MalformedPolicyDocument",
            "The policy is not in the valid JSON format.".into(),
        ));
    }
    None
}

impl Sts {
    /// GetSessionToken (no name) and GetFederationToken (a name and a policy) for a user.
    fn user_token(
        &self,
        params: &HashMap<String, String>,
        caller: &str,
        federated: Option<&str>,
        request_id: &str,
    ) -> Answer {
        let err = |status: u16, code: &str, message: &str| {
            error_answer(status, code, message, request_id)
        };
        let duration = match duration_seconds(params, 43200, 900..=129600, request_id) {
            Ok(d) => d,
            Err(answer) => return answer,
        };
        let policy = params.get("Policy").cloned();
        if let Some(answer) = check_policy(policy.as_deref(), request_id) {
            return answer;
        }
        let account = caller.split(':').nth(4).unwrap_or("000000000000");
        let (arn, action) = match federated {
            Some(name) => {
                if !(2..=32).contains(&name.len())
                    || !name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
                {
                    return err(
                        400,
                        "ValidationError",
                        "1 validation error detected: Value at 'name' failed to satisfy constraint",
                    );
                }
                (
                    format!("arn:aws:sts::{account}:federated-user/{name}"),
                    "GetFederationToken",
                )
            }
            None => (caller.to_string(), "GetSessionToken"),
        };
        let n = self.next_id();
        let (key, secret, token, expiration) = self.issue(
            Session {
                secret: format!("emulated-secret-{n:08}"),
                arn: arn.clone(),
                role: None,
                user: Some(caller.to_string()),
                // A federated user without a policy may do nothing at all.
                policy: federated.map(|_| policy.unwrap_or_else(|| "{\"Statement\":[]}".into())),
                source_identity: None,
            },
            duration,
            n,
        );
        let federated_user = match federated {
            Some(name) => format!(
                "<FederatedUser><FederatedUserId>{account}:{}</FederatedUserId><Arn>{}</Arn></FederatedUser>",
                xml_escape(name),
                xml_escape(&arn)
            ),
            None => String::new(),
        };
        Answer::Xml {
            status: 200,
            body: format!(
                "<{action}Response xmlns=\"{NS}\"><{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>\
                 <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
                 <Expiration>{expiration}</Expiration></Credentials>{federated_user}</{action}Result>\
                 <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
            ),
            request_id: request_id.to_string(),
        }
    }
}

/// An error as STS answers it: the status, and the XML body naming the code.
fn error_answer(status: u16, code: &str, message: &str, request_id: &str) -> Answer {
    Answer::Xml {
        status,
        body: error_body(code, message, request_id),
        request_id: request_id.to_string(),
    }
}

/// `DurationSeconds` (or `default`), refused as STS refuses it outside `allowed`.
fn duration_seconds(
    params: &HashMap<String, String>,
    default: i64,
    allowed: std::ops::RangeInclusive<i64>,
    request_id: &str,
) -> Result<i64, Answer> {
    let duration = params
        .get("DurationSeconds")
        .and_then(|d| d.parse().ok())
        .unwrap_or(default);
    if allowed.contains(&duration) {
        return Ok(duration);
    }
    Err(error_answer(
        400,
        "ValidationError",
        "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint",
        request_id,
    ))
}

pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    let kind = if code == "InternalFailure" {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{NS}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error>\
         <RequestId>{request_id}</RequestId></ErrorResponse>",
        xml_escape(message)
    )
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
