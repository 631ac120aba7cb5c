//! The IAM policies connsql writes, exercised through the emulator (which evaluates them as IAM
//! does: wildcards, `${*}`-style literals, and conditions on keys a request lacks) by an AWS SDK
//! client holding the credentials `connsql credentials` handed out.

use serde_json::{Value, json};

use crate::util::{CI_ARN, CI_KEY, CI_SECRET, Emulator, Env};

/// What one S3 call by a holder of some credentials came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
}

/// An S3 client of the emulator, holding the `credential_process` JSON `creds`.
fn s3_client(endpoint: &str, creds: &Value) -> (tokio::runtime::Runtime, aws_sdk_s3::Client) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let field = |k: &str| creds[k].as_str().expect("a credential").to_string();
    let credentials = aws_credential_types::Credentials::new(
        field("AccessKeyId"),
        field("SecretAccessKey"),
        Some(field("SessionToken")),
        None,
        "connsql-credentials",
    );
    let shared = runtime.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(credentials)
            .http_client(connsql::aws::http::client())
            .load(),
    );
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .build();
    (runtime, aws_sdk_s3::Client::from_conf(config))
}

fn outcome<T, E, R>(result: Result<T, aws_sdk_s3::error::SdkError<E, R>>) -> Outcome
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match result {
        Ok(_) => Outcome::Allowed,
        Err(e) if e.code() == Some("AccessDenied") => Outcome::Denied,
        Err(e) => panic!("neither allowed nor denied: {e:?}"),
    }
}

/// Job locations holding the characters IAM reads as wildcards or variables, blanks and
/// letters beyond ASCII, each with a key of its own and a key the location's text would
/// match if it were pasted into a pattern unescaped.
const LOCATIONS: &[(&str, &str, &str)] = &[
    ("a*b/", "a*b/own.json", "aXYb/other.json"),
    ("q?/", "q?/own.json", "qz/other.json"),
    ("d$x/", "d$x/own.json", "d$y/other.json"),
    (
        "with space/",
        "with space/own.json",
        "with spaceX/other.json",
    ),
    ("données/", "données/own.json", "donnees/other.json"),
    ("*/", "*/own.json", "anything/other.json"),
];

fn world() -> Value {
    let all = json!({ "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }] });
    let mut objects = Vec::new();
    for (_, own, other) in LOCATIONS {
        objects.push(*own);
        objects.push(*other);
    }
    json!({
        "users": [{ "access_key_id": CI_KEY, "secret_access_key": CI_SECRET, "arn": CI_ARN, "permissions": all }],
        "roles": [{ "arn": "arn:aws:iam::123456789012:role/lake-rw",
                    "trust": [{ "principal": CI_ARN, "external_id": "a1b2c3d4" }], "permissions": all }],
        "buckets": [{ "name": "lake-odd", "objects": objects }]
    })
}

/// A job's credentials read its own keys and nothing else, whatever characters its location
/// holds: `*`, `?` and `$` reach IAM as `${*}`, `${?}`, `${$}`.
#[test]
fn a_jobs_credentials_reach_its_own_location_only() {
    let emulator = Emulator::start(&world(), &[]);
    let mut env = Env::new();
    env.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let mut sql = String::from(
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-rw' EXTERNAL_ID = 'a1b2c3d4';\n",
    );
    for (i, (prefix, _, _)) in LOCATIONS.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE JOB j{i} AS COPY FROM S3 lake LOCATION = 's3://lake-odd/{prefix}' INTO db.t{i};\n"
        ));
    }
    env.run(&["--no-validate", "-c", &sql]).ok();
    for (i, (prefix, own, other)) in LOCATIONS.iter().enumerate() {
        let run = env.run(&["credentials", "lake", "--job", &format!("j{i}")]);
        let creds: Value = serde_json::from_str(run.ok().trim()).expect("JSON");
        let (runtime, s3) = s3_client(&emulator.endpoint, &creds);
        let get = |key: &str| {
            outcome(runtime.block_on(s3.get_object().bucket("lake-odd").key(key).send()))
        };
        let list = |prefix: &str| {
            outcome(
                runtime.block_on(
                    s3.list_objects_v2()
                        .bucket("lake-odd")
                        .prefix(prefix)
                        .send(),
                ),
            )
        };
        assert_eq!(get(own), Outcome::Allowed, "{prefix}: its own key");
        assert_eq!(get(other), Outcome::Denied, "{prefix}: {other}");
        assert_eq!(list(prefix), Outcome::Allowed, "{prefix}: listing it");
        let sibling = other.split('/').next().unwrap_or(other);
        assert_eq!(
            list(&format!("{sibling}/")),
            Outcome::Denied,
            "{prefix}: listing {sibling}/"
        );
        // Engines ask the bucket's region first.
        assert_eq!(
            outcome(runtime.block_on(s3.get_bucket_location().bucket("lake-odd").send())),
            Outcome::Allowed,
            "{prefix}: the bucket's location"
        );
    }
}

/// The S3 policy SHOW S3 POLICY prints, given to a role as its permissions, lets that role do
/// what it names: find a filtered bucket's region (a request without `s3:prefix`, which a
/// condition on the prefix would refuse), list the filtered prefix and not another, read and
/// write there.
#[test]
fn the_s3_policy_grants_what_it_names() {
    let env = Env::new();
    env.sql(
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/by-policy' EXTERNAL_ID = 'a1b2c3d4' \
         PATH_DISPLAY_FILTERS = ('s3://lake-odd/a*b/', 's3://lake-odd/q?/')",
    );
    let run = env.run(&[
        "--format",
        "json",
        "-c",
        "SHOW S3 POLICY FOR CONNECTION lake",
    ]);
    let rows = run.json_lines();
    let policy = rows[0][0]["policy"].clone();
    let text = policy.to_string();
    assert!(text.contains("lake-odd/a${*}b/*"), "{text}");
    assert!(text.contains("\"q${?}/*\""), "{text}");
    let mut world = world();
    world["roles"] = json!([{ "arn": "arn:aws:iam::123456789012:role/by-policy",
        "trust": [{ "principal": CI_ARN, "external_id": "a1b2c3d4" }], "permissions": policy }]);
    let emulator = Emulator::start(&world, &[]);
    let mut env2 = Env::new();
    env2.use_emulator(&emulator, CI_KEY, CI_SECRET);
    env2.run(&[
        "-c",
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/by-policy' EXTERNAL_ID = 'a1b2c3d4' \
         PATH_DISPLAY_FILTERS = ('s3://lake-odd/a*b/', 's3://lake-odd/q?/')",
    ])
    .ok();
    let run = env2.run(&["credentials", "lake", "--no-cache"]);
    let creds: Value = serde_json::from_str(run.ok().trim()).expect("JSON");
    let (runtime, s3) = s3_client(&emulator.endpoint, &creds);
    assert_eq!(
        outcome(runtime.block_on(s3.get_bucket_location().bucket("lake-odd").send())),
        Outcome::Allowed,
        "the bucket's location: {text}"
    );
    let list = |prefix: &str| {
        outcome(
            runtime.block_on(
                s3.list_objects_v2()
                    .bucket("lake-odd")
                    .prefix(prefix)
                    .send(),
            ),
        )
    };
    assert_eq!(list("a*b/"), Outcome::Allowed);
    assert_eq!(list("q?/"), Outcome::Allowed);
    assert_eq!(list("aXYb/"), Outcome::Denied);
    assert_eq!(
        outcome(
            runtime.block_on(
                s3.get_object()
                    .bucket("lake-odd")
                    .key("a*b/own.json")
                    .send()
            )
        ),
        Outcome::Allowed
    );
    assert_eq!(
        outcome(
            runtime.block_on(
                s3.get_object()
                    .bucket("lake-odd")
                    .key("aXYb/other.json")
                    .send()
            )
        ),
        Outcome::Denied
    );
    assert_eq!(
        outcome(
            runtime.block_on(
                s3.put_object()
                    .bucket("lake-odd")
                    .key("q?/new.json")
                    .body(aws_sdk_s3::primitives::ByteStream::from_static(b"{}"))
                    .send()
            )
        ),
        Outcome::Allowed
    );
}
