//! Outcomes as result sets: named columns of JSON cells, the form JSON and CSV print whole and
//! tables show. Secrets are masked here, by the option table's `secret` flag.

use serde_json::{Map, Value, json};

use crate::catalog::{StoredConnection, StoredJob};
use crate::clock::rfc3339;
use crate::session::{Outcome, Proof};
use crate::sql::job_spec::{JobBody, JobKind, JobOption};
use crate::sql::options::OptionKey;
use crate::sql::spec::{CONNECTION_OPTIONS, ConnectionOption, Setting};
use crate::sql::words::MASK;

/// How a result set is best shown as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Rows and columns.
    Table,
    /// One value to print as it is, such as a policy document to paste.
    Document,
}

/// Rows of named columns; cells are JSON values (null, booleans, strings, arrays, objects).
#[derive(Clone, Debug, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
    pub shape: Shape,
}

/// SHOW CONNECTIONS columns in SPEC §2's order, which are also its JSON keys. An option added
/// to the table later shows too: [`show_columns`] puts every other non-secret option before the
/// timestamps.
const SPEC_SHOW_COLUMNS: &[&str] = &[
    "name",
    "type",
    "authentication",
    "aws_role",
    "external_id",
    "aws_access_key_id",
    "read_only",
    "path_display_filters",
    "encryption_kms_key",
    "comment",
    "created_at",
    "updated_at",
    "validated_at",
];

/// SHOW CONNECTIONS columns: SPEC §2's, then the option table's other non-secret columns
/// before `created_at`.
pub fn show_columns() -> &'static [&'static str] {
    static COLUMNS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut columns = SPEC_SHOW_COLUMNS.to_vec();
        let at = columns
            .iter()
            .position(|c| *c == "created_at")
            .unwrap_or(columns.len());
        let mut extra: Vec<&'static str> = CONNECTION_OPTIONS
            .iter()
            .filter(|d| !d.secret && !columns.contains(&d.column))
            .map(|d| d.column)
            .collect();
        extra.dedup();
        columns.splice(at..at, extra);
        columns
    });
    &COLUMNS
}

/// What a table of connections shows (`output::table::connections`): what fits and matters;
/// DESCRIBE, `-x` and JSON have the rest. `role_or_key` is the role ARN or the access key ID.
pub const SHOW_COMPACT: &[&str] = &[
    "name",
    "authentication",
    "role_or_key",
    "read_only",
    "validated_at",
    "comment",
];

/// The result set of a statement that returns rows; `None` for a change.
pub fn result_set(outcome: &Outcome) -> Option<ResultSet> {
    let table = |columns: Vec<&'static str>, rows| ResultSet {
        columns,
        rows,
        shape: Shape::Table,
    };
    let document = |columns: Vec<&'static str>, row| ResultSet {
        columns,
        rows: vec![row],
        shape: Shape::Document,
    };
    Some(match outcome {
        Outcome::Changed { .. } => return None,
        Outcome::Connections(all) => {
            table(show_columns().to_vec(), all.iter().map(show_row).collect())
        }
        Outcome::Description(c) => table(vec!["property", "value"], describe_rows(c)),
        Outcome::CreateStatement { object, text } => document(
            vec![object.kind(), "create_statement"],
            vec![json!(object.name()), json!(text)],
        ),
        Outcome::Jobs(all) => table(SHOW_JOB_COLUMNS.to_vec(), all.iter().map(job_row).collect()),
        Outcome::JobDescription(job) => table(vec!["property", "value"], describe_job(job)),
        Outcome::TrustPolicy {
            connection,
            external_id,
            policy,
        } => document(
            vec!["connection", "external_id", "policy"],
            vec![json!(connection), json!(external_id), policy.clone()],
        ),
        Outcome::S3Policy { connection, policy } => document(
            vec!["connection", "policy"],
            vec![json!(connection), policy.clone()],
        ),
        Outcome::Access(rows) => table(
            vec!["action", "location", "status", "detail"],
            rows.iter()
                .map(|r| {
                    vec![
                        json!(r.action.as_str()),
                        json!(r.location),
                        json!(r.status.as_str()),
                        json!(r.detail),
                    ]
                })
                .collect(),
        ),
        Outcome::AwsProfile { profile, config } => document(
            vec!["profile", "config"],
            vec![json!(profile), json!(config)],
        ),
        Outcome::Grant { .. } => return None,
        Outcome::Grants(grants) => table(
            vec![
                "role",
                "privilege",
                "on",
                "connection",
                "granted_by",
                "granted_at",
            ],
            grants
                .iter()
                .map(|g| {
                    vec![
                        json!(g.role),
                        json!(g.privilege.as_str()),
                        json!(if g.connection.is_some() {
                            "connection"
                        } else {
                            "catalog"
                        }),
                        json!(g.connection),
                        json!(g.granted_by),
                        json!(g.granted_at),
                    ]
                })
                .collect(),
        ),
        Outcome::CredentialIssues(issues) => table(
            vec![
                "at",
                "role",
                "connection",
                "job",
                "session_name",
                "expiration",
            ],
            issues
                .iter()
                .map(|i| {
                    vec![
                        json!(i.at),
                        json!(i.role),
                        json!(i.connection),
                        json!(i.job),
                        json!(i.session_name),
                        json!(i.expiration),
                    ]
                })
                .collect(),
        ),
    })
}

fn ts(t: time::OffsetDateTime) -> Value {
    json!(rfc3339(t))
}

/// A stored setting as a cell, masked when the option is secret.
fn cell(key: ConnectionOption, setting: Setting<'_>) -> Value {
    match setting {
        Setting::Unset => Value::Null,
        _ if key.is_secret() => json!(MASK),
        Setting::Text(s) => json!(s),
        Setting::Bool(b) => json!(b),
        Setting::List(items) => json!(items),
    }
}

fn show_row(c: &StoredConnection) -> Vec<Value> {
    show_columns()
        .iter()
        .map(|column| match *column {
            "name" => json!(c.name),
            "type" => json!("S3"),
            "authentication" => json!(c.spec.credentials.method()),
            "created_at" => ts(c.created_at),
            "updated_at" => ts(c.updated_at),
            "validated_at" => c.validated_at.map_or(Value::Null, ts),
            option => CONNECTION_OPTIONS
                .iter()
                .find(|d| d.column == option)
                .map_or(Value::Null, |d| {
                    let key = if d.key == ConnectionOption::PathDisplayFilter {
                        ConnectionOption::PathDisplayFilters
                    } else {
                        d.key
                    };
                    cell(key, c.spec.setting(key))
                }),
        })
        .collect()
}

/// Every property of a connection: identity, each option of the table (secrets masked),
/// times, and the last validation.
fn describe_rows(c: &StoredConnection) -> Vec<Vec<Value>> {
    let mut out = vec![
        vec![json!("id"), json!(c.id)],
        vec![json!("name"), json!(c.name)],
        vec![json!("type"), json!("S3")],
        vec![json!("authentication"), json!(c.spec.credentials.method())],
    ];
    for def in CONNECTION_OPTIONS {
        // The singular display filter shares its column with the list.
        if def.key == ConnectionOption::PathDisplayFilter {
            continue;
        }
        out.push(vec![
            json!(def.column),
            cell(def.key, c.spec.setting(def.key)),
        ]);
    }
    let v = c.validation.as_ref();
    out.extend([
        vec![json!("created_at"), ts(c.created_at)],
        vec![json!("updated_at"), ts(c.updated_at)],
        vec![
            json!("validated_at"),
            c.validated_at.map_or(Value::Null, ts),
        ],
        vec![
            json!("caller_arn"),
            json!(v.and_then(|v| v.caller_arn.clone())),
        ],
        vec![
            json!("assumed_role_arn"),
            json!(v.and_then(|v| v.assumed_role_arn.clone())),
        ],
        vec![
            json!("validation_warnings"),
            json!(v.map(|v| v.warnings.clone()).unwrap_or_default()),
        ],
    ]);
    out
}

/// The JSON object of a change report.
pub fn change_object(outcome: &Outcome, dry_run: bool) -> Map<String, Value> {
    if let Outcome::Grant {
        status,
        privilege,
        connection,
        roles,
        detail,
    } = outcome
    {
        let mut o = Map::new();
        o.insert("status".into(), json!(status.as_str()));
        o.insert("privilege".into(), json!(privilege.as_str()));
        o.insert(
            "on".into(),
            json!(if connection.is_some() {
                "connection"
            } else {
                "catalog"
            }),
        );
        o.insert("connection".into(), json!(connection));
        o.insert("roles".into(), json!(roles));
        if let Some(d) = detail {
            o.insert("detail".into(), json!(d));
        }
        if dry_run {
            o.insert("dry_run".into(), json!(true));
        }
        return o;
    }
    let Outcome::Changed {
        status,
        object,
        detail,
        proof,
        dropped_jobs,
    } = outcome
    else {
        return Map::new();
    };
    let mut o = Map::new();
    o.insert("status".into(), json!(status.as_str()));
    o.insert(object.kind().into(), json!(object.name()));
    if let Some(d) = detail {
        o.insert("detail".into(), json!(d));
    }
    if dry_run {
        o.insert("dry_run".into(), json!(true));
    }
    if let Some(Proof {
        record,
        shared_with,
    }) = proof
    {
        o.insert("validated_at".into(), ts(record.at));
        o.insert("caller_arn".into(), json!(record.caller_arn));
        o.insert("assumed_role_arn".into(), json!(record.assumed_role_arn));
        o.insert("warnings".into(), json!(record.warnings));
        if let Some(other) = shared_with {
            o.insert("proof_shared_with".into(), json!(other));
        }
    }
    if !dropped_jobs.is_empty() {
        o.insert("dropped_jobs".into(), json!(dropped_jobs));
    }
    o
}

/// SHOW JOBS columns, which are also its JSON keys (SPEC §6).
pub const SHOW_JOB_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "sync",
    "connection",
    "owner",
    "location",
    "target",
    "source_tables",
    "options",
    "comment",
    "created_at",
    "updated_at",
    "validated_at",
];

/// What a table of jobs shows; `-x` and JSON have the rest.
pub const SHOW_JOB_COMPACT: &[&str] = &[
    "name",
    "kind",
    "sync",
    "connection",
    "owner",
    "location",
    "target",
    "validated_at",
    "comment",
];

fn job_options(job: &StoredJob) -> Value {
    Value::Object(
        job.spec
            .options
            .iter()
            .map(|(k, v)| (k.name().to_string(), v.to_json()))
            .collect(),
    )
}

fn job_row(job: &StoredJob) -> Vec<Value> {
    vec![
        json!(job.name),
        json!(job.spec.kind().as_str()),
        json!(job.spec.sync),
        json!(job.connection_name),
        json!(job.owner),
        json!(job.spec.location()),
        json!(job.spec.target()),
        json!(job.spec.source_tables()),
        job_options(job),
        json!(job.spec.comment()),
        ts(job.created_at),
        ts(job.updated_at),
        job.validated_at.map_or(Value::Null, ts),
    ]
}

/// Every property of a job: identity, what it reads or writes, each option of the table.
fn describe_job(job: &StoredJob) -> Vec<Vec<Value>> {
    let mut out = vec![
        vec![json!("id"), json!(job.id)],
        vec![json!("name"), json!(job.name)],
        vec![json!("kind"), json!(job.spec.kind().as_str())],
        vec![json!("sync"), json!(job.spec.sync)],
        vec![json!("connection"), json!(job.connection_name)],
        vec![json!("owner"), json!(job.owner)],
        vec![json!("location"), json!(job.spec.location())],
        vec![json!("target"), json!(job.spec.target())],
        vec![json!("source_tables"), json!(job.spec.source_tables())],
    ];
    if let JobBody::Insert {
        map_columns_by_name,
        select,
        ..
    } = &job.spec.body
    {
        out.push(vec![
            json!("map_columns_by_name"),
            json!(map_columns_by_name),
        ]);
        out.push(vec![json!("select"), json!(select)]);
    }
    for def in JobOption::table() {
        if matches!(
            def.key,
            JobOption::Location | JobOption::Bucket | JobOption::Prefix
        ) {
            continue;
        }
        let applies = def.key.applies();
        let fits = match job.spec.kind() {
            JobKind::Copy => applies.copy,
            JobKind::Insert => applies.insert,
        };
        if fits {
            out.push(vec![
                json!(def.column),
                job.spec
                    .options
                    .get(&def.key)
                    .map_or(Value::Null, |v| v.to_json()),
            ]);
        }
    }
    out.extend([
        vec![json!("created_at"), ts(job.created_at)],
        vec![json!("updated_at"), ts(job.updated_at)],
        vec![
            json!("validated_at"),
            job.validated_at.map_or(Value::Null, ts),
        ],
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::options::OptionKey;

    /// SHOW CONNECTIONS shows every option but the secrets, and DESCRIBE every option.
    #[test]
    fn columns_come_from_the_option_table() {
        for def in ConnectionOption::table() {
            assert_eq!(
                show_columns().contains(&def.column),
                !def.secret,
                "{}",
                def.name
            );
        }
        let c = StoredConnection {
            id: "x".into(),
            name: "n".into(),
            spec: Default::default(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            validated_at: None,
            validation: None,
        };
        let described: Vec<Value> = describe_rows(&c)
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        for def in ConnectionOption::table() {
            assert!(described.contains(&json!(def.column)), "{}", def.name);
        }
    }
}
