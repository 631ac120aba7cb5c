//! How connections and jobs are laid out in rows, for every engine. Both are stored by their
//! model, not column by column: a connection as its options by name (JSON, the non-secret ones
//! and the secret ones apart, so a database can keep the secrets from whom it must), read back
//! through the same checks as `CREATE S3 CONNECTION`; a job as its canonical CREATE statement.
//! A new option is a row of its option table, and nothing here. Rows decode through [`Cells`],
//! with every value checked again (a damaged catalog is an error, not a panic).

use time::OffsetDateTime;

use super::model::{StoredConnection, StoredJob, ValidationRecord};
use crate::clock::parse_rfc3339;
use crate::sql::job_spec::JobSpec;
use crate::sql::options::OptionKey;
use crate::sql::setting::{OptionSetting, Options, StringLit, Value};
use crate::sql::span::Span;
use crate::sql::{
    ConnectionOption, ConnectionSpec, Plan, StatementKind, check_stored, connection_spec, parse,
};

/// The columns every engine's connection query selects, in this order (`c` the connection,
/// `s` its secrets, none for a reader who may not see them, `v` its newest validation).
pub const CONNECTION_COLUMNS: &str = "c.id, c.name, c.options, s.secrets, c.created_at, \
     c.updated_at, c.validated_at, v.at, v.caller_arn, v.assumed_role_arn, v.warnings";

/// The columns every engine's job query selects, in this order.
pub const JOB_COLUMNS: &str = "j.id, j.name, j.connection_id, c.name, j.definition, j.created_at, \
     j.updated_at, j.validated_at, j.owner";

/// A row's cells, read by position. The error is a message; the engine adds the position.
pub trait Cells {
    fn text(&self, i: usize) -> Result<Option<&str>, String>;
    fn flag(&self, i: usize) -> Result<bool, String>;
}

/// A decoding failure: which column, and why.
pub type CellError = (usize, String);

fn need<C: Cells>(c: &C, i: usize) -> Result<&str, CellError> {
    c.text(i)
        .map_err(|e| (i, e))?
        .ok_or_else(|| (i, "missing value".to_string()))
}

fn opt<C: Cells>(c: &C, i: usize) -> Result<Option<&str>, CellError> {
    c.text(i).map_err(|e| (i, e))
}

fn time_at(i: usize, s: &str) -> Result<OffsetDateTime, CellError> {
    parse_rfc3339(s).map_err(|e| (i, e))
}

/// A connection's columns: how it authenticates (derived, for SQL readers of the catalog),
/// its options by name with each secret one as `null` (set, and kept apart), and the secret
/// options' values (none when it has none, or when they are withheld from this writer), which
/// go to a table of their own that only administrators may read.
pub struct ConnectionRow {
    pub authentication: &'static str,
    pub options: String,
    pub secrets: Option<String>,
}

/// The stored form of a spec: its options in canonical order, each under its name, the
/// secret ones (by the option table's `secret`) apart.
pub fn connection_row(spec: &ConnectionSpec) -> ConnectionRow {
    // Written straight as JSON text (no tree of values): this runs for every change.
    let mut options = String::from("{");
    let mut secrets = String::from("{");
    let withheld = spec.withheld();
    for setting in spec.to_options().0 {
        let Some(key) = setting.name.key() else {
            continue;
        };
        if key.is_secret() {
            // Its name stays with the other options, so a reader without the secret knows
            // that it is set.
            if options.len() > 1 {
                options.push(',');
            }
            json_string(&mut options, key.name());
            options.push_str(":null");
            if withheld.contains(&key) {
                continue;
            }
        }
        let into = if key.is_secret() {
            &mut secrets
        } else {
            &mut options
        };
        if into.len() > 1 {
            into.push(',');
        }
        json_string(into, key.name());
        into.push(':');
        match &setting.value {
            Value::String(s) => json_string(into, &s.value),
            Value::Bool(b, _) => into.push_str(if *b { "true" } else { "false" }),
            Value::List(items, _) => {
                into.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        into.push(',');
                    }
                    json_string(into, &item.value);
                }
                into.push(']');
            }
            // A spec's options are strings, booleans and lists (`ConnectionSpec::to_options`).
            _ => into.push_str("null"),
        }
    }
    options.push('}');
    secrets.push('}');
    ConnectionRow {
        authentication: spec.credentials.method(),
        options,
        secrets: (secrets.len() > 2).then_some(secrets),
    }
}

/// `s` as a JSON string, appended.
fn json_string(out: &mut String, s: &str) {
    // What JSON requires escaping (and serde_json escapes) is a quote, a backslash and the
    // control characters; the common value has none and is copied as it is.
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // serde_json escapes as JSON requires; writing into a String cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// A spec read back from its stored options: each by its name in the option table, through
/// the checks of `CREATE S3 CONNECTION`. A secret option marked set (`null`) whose value is
/// not there — the reader may not see it — is read as withheld.
pub fn spec_from_row(options: &str, secrets: Option<&str>) -> Result<ConnectionSpec, String> {
    let mut settings = Vec::new();
    let mut marked = Vec::new();
    for text in std::iter::once(options).chain(secrets) {
        let mut de = serde_json::Deserializer::from_str(text);
        serde::Deserializer::deserialize_map(
            &mut de,
            SettingsVisitor {
                settings: &mut settings,
                marked: &mut marked,
            },
        )
        .map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
    }
    marked.retain(|key| !settings.iter().any(|s| s.name.key() == Some(*key)));
    for key in &marked {
        // A value the checks accept stands in for the secret, which is then marked withheld.
        settings.push(OptionSetting::new(
            *key,
            Value::String(StringLit::new(stand_in(*key))),
        ));
    }
    let mut spec = connection_spec(&Options(settings)).map_err(|errors| {
        errors
            .first()
            .map_or_else(|| "the options do not check".into(), |e| e.message.clone())
    })?;
    for key in marked {
        spec.withhold(key);
    }
    Ok(spec)
}

/// What stands in for a withheld secret while its connection is checked.
fn stand_in(key: ConnectionOption) -> &'static str {
    match key {
        // 32 zero bytes, the form of an SSE-C key.
        ConnectionOption::EncryptionCustomerManagedKey => {
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        }
        _ => "withheld",
    }
}

/// Reads a JSON object of options straight into settings (no tree of JSON values is built:
/// this runs for every connection a statement reads). A secret option's `null` marks it set.
struct SettingsVisitor<'s> {
    settings: &'s mut Vec<OptionSetting<ConnectionOption>>,
    marked: &'s mut Vec<ConnectionOption>,
}

impl<'de> serde::de::Visitor<'de> for SettingsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of options by name")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = ConnectionOption::from_name(&name).ok_or_else(|| {
                A::Error::custom(format!("`{name}` is not an option of this connsql"))
            })?;
            match map.next_value::<Option<StoredValue>>()? {
                Some(value) => self.settings.push(OptionSetting::new(key, value.0)),
                None if key.is_secret() => self.marked.push(key),
                None => {
                    return Err(A::Error::custom(format!("`{name}` has no value")));
                }
            }
        }
        Ok(())
    }
}

/// One stored option value: a string, a boolean, or a list of strings.
struct StoredValue(Value);

impl<'de> serde::Deserialize<'de> for StoredValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StoredValue;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, a boolean or a list of strings")
            }

            fn visit_str<E>(self, s: &str) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::String(StringLit::new(s))))
            }

            fn visit_bool<E>(self, b: bool) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::Bool(b, Span::default())))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StoredValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(StringLit::new(item));
                }
                Ok(StoredValue(Value::List(items, Span::default())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A connection from a row of `CONNECTION_COLUMNS`.
pub fn connection<C: Cells>(c: &C) -> Result<StoredConnection, CellError> {
    let spec = spec_from_row(need(c, 2)?, opt(c, 3)?).map_err(|e| (2, e))?;
    let validated_at = opt(c, 6)?.map(|s| time_at(6, s)).transpose()?;
    let validation = match opt(c, 7)? {
        Some(at) => Some(ValidationRecord {
            at: time_at(7, at)?,
            caller_arn: opt(c, 8)?.map(str::to_string),
            assumed_role_arn: opt(c, 9)?.map(str::to_string),
            warnings: serde_json::from_str(need(c, 10)?).map_err(|e| (10, e.to_string()))?,
        }),
        None => None,
    };
    Ok(StoredConnection {
        id: need(c, 0)?.to_string(),
        name: need(c, 1)?.to_string(),
        spec,
        created_at: time_at(4, need(c, 4)?)?,
        updated_at: time_at(5, need(c, 5)?)?,
        validated_at,
        validation,
    })
}

/// A job from a row of `JOB_COLUMNS`: read back from its definition.
pub fn job<C: Cells>(c: &C) -> Result<StoredJob, CellError> {
    Ok(StoredJob {
        id: need(c, 0)?.to_string(),
        name: need(c, 1)?.to_string(),
        connection_id: need(c, 2)?.to_string(),
        connection_name: need(c, 3)?.to_string(),
        spec: decode_job(need(c, 4)?).map_err(|e| (4, e))?,
        owner: need(c, 8)?.to_string(),
        created_at: time_at(5, need(c, 5)?)?,
        updated_at: time_at(6, need(c, 6)?)?,
        validated_at: opt(c, 7)?.map(|t| time_at(7, t)).transpose()?,
    })
}

/// The spec of a stored definition (its canonical CREATE JOB statement, parsed and checked).
pub fn decode_job(definition: &str) -> Result<JobSpec, String> {
    let (statements, errors) = parse(definition);
    if let Some(e) = errors.first() {
        return Err(e.message.clone());
    }
    let Some(statement) = statements.first() else {
        return Err("the definition is empty".into());
    };
    if !matches!(statement.kind, StatementKind::CreateJob(_)) {
        return Err("the definition is not a CREATE JOB statement".into());
    }
    match check_stored(statement) {
        Ok((Plan::CreateJob { spec, .. }, _)) => Ok(spec),
        Ok(_) => Err("the definition is not a job".into()),
        Err(errors) => Err(errors.first().map_or_else(
            || "the definition does not check".into(),
            |e| e.message.clone(),
        )),
    }
}

/// A job's columns besides the definition (what queries and rules read): its source tables
/// and its options, as JSON.
pub fn job_columns(spec: &JobSpec) -> (String, String) {
    let tables = serde_json::to_string(spec.source_tables()).unwrap_or_else(|_| "[]".into());
    let options: serde_json::Map<String, serde_json::Value> = spec
        .options
        .iter()
        .map(|(k, v)| {
            use crate::sql::options::OptionKey;
            (k.name().to_string(), v.to_json())
        })
        .collect();
    let options = serde_json::to_string(&options).unwrap_or_else(|_| "{}".into());
    (tables, options)
}

/// One table as `catalog copy` moves it: its columns (as text), which of them are flags, and
/// the column that orders its rows (history and validations keep their order).
pub struct CopyTable {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub flags: &'static [&'static str],
    pub order: &'static str,
}

impl CopyTable {
    pub fn is_flag(&self, column: &str) -> bool {
        self.flags.contains(&column)
    }

    /// The INSERT of one row of text cells: `param(n, is_flag)` writes the engine's
    /// placeholder for the n-th column (1-based), flags converted from their text.
    pub fn insert_sql(&self, param: impl Fn(usize, bool) -> String) -> String {
        let values: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| param(i + 1, self.is_flag(c)))
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            self.columns.join(", "),
            values.join(", ")
        )
    }
}

/// Every table of a catalog, in the order they are filled (a job needs its connection).
pub const COPY_TABLES: &[CopyTable] = &[
    CopyTable {
        name: "settings",
        columns: &["key", "value"],
        flags: &[],
        order: "key",
    },
    CopyTable {
        name: "connections",
        columns: &[
            "id",
            "name",
            "authentication",
            "options",
            "created_at",
            "updated_at",
            "validated_at",
        ],
        flags: &[],
        order: "id",
    },
    // What a member reads of it is nothing: `catalog copy` by a member leaves secrets out.
    CopyTable {
        name: "connection_secrets",
        columns: &["connection_id", "secrets"],
        flags: &[],
        order: "connection_id",
    },
    CopyTable {
        name: "validations",
        columns: &[
            "connection_id",
            "at",
            "caller_arn",
            "assumed_role_arn",
            "warnings",
        ],
        flags: &[],
        order: "seq",
    },
    CopyTable {
        name: "jobs",
        columns: &[
            "id",
            "name",
            "connection_id",
            "kind",
            "sync",
            "writes",
            "location",
            "target",
            "source_tables",
            "options",
            "definition",
            "created_at",
            "updated_at",
            "validated_at",
            "owner",
        ],
        flags: &["sync", "writes"],
        order: "id",
    },
    CopyTable {
        name: "history",
        columns: &[
            "at",
            "os_user",
            "action",
            "object",
            "connection_id",
            "connection_name",
            "statement",
            "role",
        ],
        flags: &[],
        order: "seq",
    },
];

/// Rows of one table, every cell as text (flags as `0`/`1`).
pub type TextRows = Vec<Vec<Option<String>>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Plan, check, parse};

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "it's",
            "quote \" inside",
            "back\\slash",
            "tab\tnew\nline\u{1}",
            "del \u{7f} and é ☃",
        ] {
            let mut out = String::new();
            json_string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    /// Every option of the table is stored by its name and read back as it was: storage
    /// follows the option table, with no column of its own per option.
    #[test]
    fn every_option_round_trips_through_storage() {
        for sql in [
            "CREATE S3 CONNECTION c AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ext-1' \
             PATH_DISPLAY_FILTERS = ('s3://bkt/a/', 's3://bkt2/') READ_ONLY = TRUE \
             ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' \
             COMMENT = 'it''s'",
            "CREATE S3 CONNECTION c AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 's/e+c=' \
             ENCRYPTION_CUSTOMER_MANAGED_KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='",
            "CREATE S3 CONNECTION c",
        ] {
            let (stmts, _) = parse(sql);
            let Ok((Plan::Create { spec, .. }, _)) = check(&stmts[0]) else {
                panic!("{sql}")
            };
            let row = connection_row(&spec);
            assert!(
                !row.options.contains("s/e+c="),
                "secrets apart: {}",
                row.options
            );
            let back = spec_from_row(&row.options, row.secrets.as_deref()).expect("reads back");
            assert_eq!(back, spec, "{sql}");
        }
    }
}
