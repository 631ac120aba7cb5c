//! The offline rules of a job (SPEC §6): each option's value rule, which job kinds it belongs
//! to, where the job reads or writes, and which options go together.

use std::collections::BTreeMap;

use super::{Purpose, Typed, invalid, typed_options, wrong_type};
use crate::sql::ast::{CreateJob, JobStatementBody, OptionSetting, Options, Value};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::job_spec::{
    COPY_COMPRESSIONS, COPY_SKIPPABLE, FILE_FORMATS, INSERT_COMPRESSIONS, INSERT_SKIPPABLE,
    JobBody, JobKind, JobOption, JobSpec, JobValue, Source,
};
use crate::sql::options::{OptionKey, ValueKind};
use crate::sql::span::Span;
use crate::sql::values::{S3Path, ValueError};

/// A typed option: its key and value.
type Checked = Typed<(JobOption, JobValue)>;

/// The checked spec of `CREATE JOB`, or `None` when its errors are in `diags`.
pub(super) fn spec_of(job: &CreateJob, diags: &mut Vec<Diagnostic>) -> Option<JobSpec> {
    let kind = match job.body {
        JobStatementBody::Copy { .. } => JobKind::Copy,
        JobStatementBody::Insert { .. } => JobKind::Insert,
    };
    let (body_options, connection_span) = match &job.body {
        JobStatementBody::Copy {
            source, connection, ..
        } => (source, connection.span),
        JobStatementBody::Insert {
            target, connection, ..
        } => (target, connection.span),
    };
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut typed = options(&job.options, Purpose::Create, diags);
    let more = options(body_options, Purpose::Create, diags);
    for (change, span, name_span) in more {
        if typed.iter().any(|((k, _), _, _)| *k == change.0) {
            diags.push(
                Diagnostic::error(
                    DiagnosticKind::RepeatedOption,
                    name_span,
                    format!("{} is given twice", change.0.name()),
                )
                .with_label("repeated here"),
            );
            continue;
        }
        typed.push((change, span, name_span));
    }
    for ((key, value), span, name_span) in &typed {
        if let Some(d) = applicability(*key, value, kind, *span, *name_span) {
            diags.push(d);
        }
    }
    let get = |key: JobOption| typed.iter().find(|((k, _), _, _)| *k == key);
    // An option that was written but is invalid has its own error: no second one says it is
    // missing.
    let written =
        |key: JobOption| job.options.get(key).is_some() || body_options.get(key).is_some();
    if kind == JobKind::Copy
        && let (Some((_, _, name_span)), None) =
            (get(JobOption::StartFrom), get(JobOption::DatePattern))
        && !written(JobOption::DatePattern)
    {
        diags.push(
            Diagnostic::error(
                DiagnosticKind::MissingOption,
                *name_span,
                "START_FROM of a COPY FROM job needs DATE_PATTERN",
            )
            .with_help("the start is found from the dates in the files' paths: add DATE_PATTERN = 'yyyy/MM/dd/HH/mm' (the layout of the location)"),
        );
    }
    let text = |key| match get(key) {
        Some(((_, JobValue::Text(t)), _, _)) => Some(t.clone()),
        _ => None,
    };
    let location = get(JobOption::Location).map(|(_, span, _)| *span);
    let body = match &job.body {
        JobStatementBody::Copy { target, .. } => {
            let bucket = get(JobOption::Bucket);
            let prefix = get(JobOption::Prefix);
            let source = match (location, bucket, prefix) {
                (Some(_), Some((_, span, _)), _) | (Some(_), None, Some((_, span, _))) => {
                    diags.push(
                        Diagnostic::error(
                            DiagnosticKind::ConflictingOptions,
                            *span,
                            "LOCATION and BUCKET/PREFIX cannot be used together",
                        )
                        .with_help("give the location once: LOCATION = 's3://bucket/prefix/'"),
                    );
                    None
                }
                (Some(_), None, None) => text(JobOption::Location)
                    .and_then(|l| S3Path::parse_location(&l).ok())
                    .map(|(p, _)| Source::Location(p)),
                (None, Some(_), _) => Some(Source::BucketPrefix {
                    bucket: text(JobOption::Bucket).unwrap_or_default(),
                    prefix: text(JobOption::Prefix).unwrap_or_default(),
                }),
                (None, None, _) if written(JobOption::Bucket) || written(JobOption::Location) => {
                    None
                }
                (None, None, Some((_, _, name_span))) => {
                    diags.push(
                        Diagnostic::error(
                            DiagnosticKind::MissingOption,
                            *name_span,
                            "PREFIX needs BUCKET",
                        )
                        .with_help("add BUCKET = '<bucket>', or write LOCATION = 's3://bucket/prefix/' instead"),
                    );
                    None
                }
                (None, None, None) => {
                    diags.push(missing_location(connection_span, "COPY FROM S3 needs the location to read", "add LOCATION = 's3://bucket/prefix/' (or BUCKET = '…' PREFIX = '…') after the connection"));
                    None
                }
            };
            source.map(|source| JobBody::Copy {
                source,
                target: target.clone(),
            })
        }
        JobStatementBody::Insert {
            map_columns_by_name,
            select,
            ..
        } => {
            let location = match text(JobOption::Location) {
                Some(l) => S3Path::parse_location(&l).ok().map(|(p, _)| p),
                None if written(JobOption::Location) => None,
                None => {
                    diags.push(missing_location(
                        connection_span,
                        "INSERT INTO S3 needs the location to write",
                        "add LOCATION = 's3://bucket/prefix/' after the connection",
                    ));
                    None
                }
            };
            location.map(|location| JobBody::Insert {
                location,
                map_columns_by_name: *map_columns_by_name,
                select: select.text.clone(),
                source_tables: select.tables.clone(),
            })
        }
    };
    if diags.iter().filter(|d| d.is_error()).count() > errors_before {
        return None;
    }
    let prefix_span = get(JobOption::Prefix).or(get(JobOption::Location));
    if let (Some(body), Some((_, span, _))) = (&body, prefix_span) {
        diags.extend(covers_siblings(body, *span));
    }
    let options: BTreeMap<JobOption, JobValue> = typed
        .into_iter()
        .map(|(change, _, _)| change)
        .filter(|(k, _)| {
            !matches!(
                k,
                JobOption::Location | JobOption::Bucket | JobOption::Prefix
            )
        })
        .collect();
    Some(JobSpec {
        sync: job.sync,
        body: body?,
        options,
    })
}

/// A location whose prefix does not end in `/` covers every key that starts with it, as S3
/// reads a prefix: `raw` covers `raw2/` too, and so do the job's credentials.
fn covers_siblings(body: &JobBody, span: Span) -> Option<Diagnostic> {
    let prefix = match body {
        JobBody::Copy {
            source: Source::Location(path),
            ..
        }
        | JobBody::Insert { location: path, .. } => path.prefix(),
        JobBody::Copy {
            source: Source::BucketPrefix { prefix, .. },
            ..
        } => prefix.as_str(),
    };
    if prefix.is_empty() || prefix.ends_with('/') {
        return None;
    }
    let last = prefix.rsplit('/').next().unwrap_or(prefix);
    Some(
        Diagnostic::warning(
            DiagnosticKind::LocationCoversSiblings,
            span,
            format!("the prefix `{prefix}` has no trailing `/`: it also covers `{last}2/`, `{last}-old/` and every other key that starts with `{last}`"),
        )
        .with_help(format!(
            "S3 reads a prefix as the start of a key, and so do the job's credentials; write `{prefix}/` to mean the folder alone"
        )),
    )
}

fn missing_location(at: Span, message: &str, help: &str) -> Diagnostic {
    Diagnostic::error(DiagnosticKind::MissingOption, at, message)
        .with_label("after this connection")
        .with_help(help)
}

/// The checked changes of `ALTER JOB … SET` (editable options only; which job kinds they fit is
/// known once the job is found).
pub(super) fn changes_of(
    set: &Options<JobOption>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(JobOption, JobValue, Span)> {
    options(set, Purpose::Alter, diags)
        .into_iter()
        .map(|((k, v), span, _)| (k, v, span))
        .collect()
}

/// Whether an option fits a job of `kind` (and its value, the kind's own rules).
pub fn applicability(
    key: JobOption,
    value: &JobValue,
    kind: JobKind,
    span: Span,
    name_span: Span,
) -> Option<Diagnostic> {
    let applies = key.applies();
    let fits = match kind {
        JobKind::Copy => applies.copy,
        JobKind::Insert => applies.insert,
    };
    if !fits {
        let (this, other) = match kind {
            JobKind::Copy => ("COPY FROM", "INSERT INTO S3"),
            JobKind::Insert => ("INSERT INTO S3", "COPY FROM"),
        };
        return Some(
            Diagnostic::error(
                DiagnosticKind::NotForThisJob,
                name_span,
                format!(
                    "{} is an option of {other} jobs, not of {this} jobs",
                    key.name()
                ),
            )
            .with_help(format!("remove it; {this} jobs take {}", names_for(kind))),
        );
    }
    if key == JobOption::Compression
        && let JobValue::Word(w) = value
    {
        let allowed = match kind {
            JobKind::Copy => COPY_COMPRESSIONS,
            JobKind::Insert => INSERT_COMPRESSIONS,
        };
        if !allowed.contains(&w.as_str()) {
            return Some(
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    span,
                    format!("COMPRESSION {w} is not one a {} job can use", kind.as_str()),
                )
                .with_help(format!("use one of {}", allowed.join(", "))),
            );
        }
    }
    if key == JobOption::SkipValidations
        && let JobValue::List(names) = value
    {
        let allowed = match kind {
            JobKind::Copy => COPY_SKIPPABLE,
            JobKind::Insert => INSERT_SKIPPABLE,
        };
        if let Some(unknown) = names
            .iter()
            .find(|n| !allowed.contains(&n.to_ascii_uppercase().as_str()))
        {
            return Some(
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    span,
                    format!(
                        "SKIP_VALIDATIONS of a {} job cannot name '{unknown}'",
                        kind.as_str()
                    ),
                )
                .with_help(format!("it names {}", allowed.join(", "))),
            );
        }
    }
    None
}

/// The options jobs of `kind` take, for help texts.
fn names_for(kind: JobKind) -> String {
    JobOption::table()
        .iter()
        .filter(|d| match kind {
            JobKind::Copy => d.key.applies().copy,
            JobKind::Insert => d.key.applies().insert,
        })
        .map(|d| d.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn options(
    options: &Options<JobOption>,
    purpose: Purpose,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Checked> {
    typed_options(
        options,
        purpose,
        diags,
        |_, _| None,
        |key, setting| typed_value(key, setting).map(|(v, warning)| ((key, v), warning)),
    )
}

/// One option's value by its rule.
fn typed_value(
    key: JobOption,
    setting: &OptionSetting<JobOption>,
) -> Result<(JobValue, Option<Diagnostic>), Diagnostic> {
    let value = &setting.value;
    let wrong = || wrong_type(key, value);
    let bad = |span: Span, raw_len: usize, e: ValueError| invalid(key.name(), span, raw_len, e);
    match (key.def().kind, value) {
        (ValueKind::String, Value::String(s)) => {
            let warning = match key {
                JobOption::Location => {
                    let (_, length) = S3Path::parse_location(&s.value)
                        .map_err(|e| bad(s.span, s.value.len(), e))?;
                    length.map(|e| {
                        Diagnostic::warning(
                            DiagnosticKind::InvalidValue,
                            s.span,
                            format!("LOCATION: {}", e.message),
                        )
                        .with_help("S3 refuses such a bucket; the job is kept as written")
                    })
                }
                JobOption::Bucket => {
                    S3Path::parse_location(&format!("s3://{}/", s.value)).map_err(|e| {
                        let e = ValueError {
                            at: e.at.map(|a| a.saturating_sub(5)),
                            ..e
                        };
                        bad(s.span, s.value.len(), e)
                    })?;
                    None
                }
                JobOption::DatePattern => {
                    date_pattern(&s.value).map_err(|e| bad(s.span, s.value.len(), e))?;
                    None
                }
                _ => None,
            };
            Ok((JobValue::Text(s.value.clone()), warning))
        }
        (ValueKind::Enum(words), Value::Word(w, span))
        | (ValueKind::Enum(words), Value::Quoted(w, span)) => {
            enum_word(key, words, w, *span).map(|w| (w, None))
        }
        (ValueKind::Enum(words), Value::String(s)) => {
            enum_word(key, words, &s.value, s.span).map(|w| (w, None))
        }
        // The group form of a content type: its TYPE, and that type's own options.
        (ValueKind::Enum(words), Value::Group(items, span)) if key == JobOption::ContentType => {
            typed_group(key, items, *span, words).map(|g| (g, None))
        }
        (ValueKind::Settings, Value::Group(items, span)) if key == JobOption::DeduplicateWith => {
            deduplicate_with(items, *span).map(|g| (g, None))
        }
        (ValueKind::Name, Value::Word(w, _)) => Ok((JobValue::Name(w.to_ascii_lowercase()), None)),
        (ValueKind::Name, Value::Quoted(q, _)) => Ok((JobValue::Name(q.clone()), None)),
        (ValueKind::Name, Value::String(s)) => Ok((JobValue::Name(s.value.clone()), None)),
        (ValueKind::Integer, Value::Number(n, span)) => match n.parse::<u32>() {
            Ok(v) if v > 0 => Ok((JobValue::Integer(v), None)),
            _ => Err(Diagnostic::error(
                DiagnosticKind::InvalidValue,
                *span,
                format!("{} takes a whole number from 1 up", key.name()),
            )),
        },
        (ValueKind::Interval, Value::Interval { amount, unit, span }) => {
            match amount.parse::<u32>() {
                Ok(a) if a > 0 => Ok((
                    JobValue::Interval {
                        amount: a,
                        unit: unit.clone(),
                    },
                    None,
                )),
                _ => Err(Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    *span,
                    format!(
                        "{} takes a whole number of units from 1 up, like 5 MINUTES",
                        key.name()
                    ),
                )),
            }
        }
        (ValueKind::Moment, Value::Word(w, span)) => {
            let upper = w.to_ascii_uppercase();
            match upper.as_str() {
                "NOW" => Ok((JobValue::Word(upper), None)),
                "BEGINNING" if key == JobOption::StartFrom => Ok((JobValue::Word(upper), None)),
                _ => Err(Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    *span,
                    format!(
                        "{} is NOW{} or a timestamp, not {w}",
                        key.name(),
                        if key == JobOption::StartFrom {
                            ", BEGINNING"
                        } else {
                            ""
                        }
                    ),
                )
                .with_help("a timestamp is written TIMESTAMP '2024-01-31 00:00:00' (UTC)")),
            }
        }
        (ValueKind::Moment, Value::String(s)) | (ValueKind::Moment, Value::Timestamp(s, _)) => {
            timestamp(&s.value)
                .map(|t| (JobValue::Timestamp(t), None))
                .map_err(|e| bad(s.span, s.value.len(), e))
        }
        (ValueKind::Boolean, Value::Bool(b, _)) => Ok((JobValue::Bool(*b), None)),
        (ValueKind::StringList, Value::List(items, _)) => Ok((
            JobValue::List(items.iter().map(|i| i.value.clone()).collect()),
            None,
        )),
        (ValueKind::StringList, Value::String(s)) => {
            Ok((JobValue::List(vec![s.value.clone()]), None))
        }
        (ValueKind::Group, Value::Group(items, span)) => {
            file_format(items, *span).map(|g| (g, None))
        }
        (ValueKind::Transformations, Value::Transformations(items, _)) => {
            transformations(items).map(|t| (t, None))
        }
        (ValueKind::Group, Value::Word(w, span)) => {
            // `FILE_FORMAT = CSV`, the shorthand some scripts use.
            let group = vec![crate::sql::ast::GroupSetting {
                name: "TYPE".into(),
                value: Value::Word(w.clone(), *span),
                span: *span,
            }];
            file_format(&group, *span).map(|g| (g, None))
        }
        _ => Err(wrong()),
    }
}

fn enum_word(key: JobOption, words: &[&str], w: &str, span: Span) -> Result<JobValue, Diagnostic> {
    let upper = w.to_ascii_uppercase();
    if words.contains(&upper.as_str()) {
        return Ok(JobValue::Word(upper));
    }
    let mut d = Diagnostic::error(
        DiagnosticKind::InvalidValue,
        span,
        format!("{} cannot be {w}", key.name()),
    );
    d = match crate::sql::options::closest(w, words.iter().copied(), 0.8) {
        Some(s) => d.with_label(format!("did you mean {s}?")),
        None => d.with_help(format!("use one of {}", words.join(", "))),
    };
    Err(d)
}

/// `CONTENT_TYPE = (TYPE = CSV …)`: the TYPE is checked like the bare word; the type's own
/// options (`INFER_TYPES`, `HEADER_LINE`, `PATTERN`, …) are kept as written.
fn typed_group(
    key: JobOption,
    items: &[crate::sql::ast::GroupSetting],
    span: Span,
    types: &[&str],
) -> Result<JobValue, Diagnostic> {
    no_secret_settings(key.name(), items)?;
    let mut out = BTreeMap::new();
    for item in items {
        out.insert(item.name.clone(), group_text(&item.value));
    }
    let Some(ty) = items.iter().find(|i| i.name == "TYPE") else {
        return Err(Diagnostic::error(
            DiagnosticKind::MissingOption,
            span,
            format!("{} needs a TYPE", key.name()),
        )
        .with_help(format!("write {} = (TYPE = CSV …)", key.name())));
    };
    let word = match &ty.value {
        Value::Word(w, s) | Value::Quoted(w, s) => enum_word(key, types, w, *s)?,
        Value::String(s) => enum_word(key, types, &s.value, s.span)?,
        other => return Err(wrong_type(key, other)),
    };
    out.insert("TYPE".into(), word.to_string());
    Ok(JobValue::Group(out))
}

/// `DEDUPLICATE_WITH = (COLUMNS = (a, b), WINDOW = 1 DAY)` (or `COLUMN = a`): the key columns
/// and the window, both required.
fn deduplicate_with(
    items: &[crate::sql::ast::GroupSetting],
    span: Span,
) -> Result<JobValue, Diagnostic> {
    let help = "write DEDUPLICATE_WITH = (COLUMNS = (id, …), WINDOW = 1 DAY)";
    let mut out = BTreeMap::new();
    for item in items {
        let fits = match (item.name.as_str(), &item.value) {
            ("COLUMNS", Value::Names(..)) => true,
            ("COLUMN", Value::Word(..) | Value::Quoted(..)) => true,
            ("WINDOW", Value::Interval { amount, span, .. }) => {
                if !amount.parse::<u32>().is_ok_and(|a| a > 0) {
                    return Err(Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        *span,
                        "DEDUPLICATE_WITH's WINDOW takes a whole number of units from 1 up",
                    )
                    .with_help(help));
                }
                true
            }
            ("COLUMNS" | "COLUMN" | "WINDOW", _) => false,
            (other, _) => {
                return Err(Diagnostic::error(
                    DiagnosticKind::UnknownOption,
                    item.span,
                    format!("DEDUPLICATE_WITH takes COLUMNS (or COLUMN) and WINDOW, not {other}"),
                )
                .with_help(help));
            }
        };
        if !fits {
            return Err(Diagnostic::error(
                DiagnosticKind::WrongValueType,
                item.span,
                format!(
                    "DEDUPLICATE_WITH's {} cannot be {}",
                    item.name,
                    item.value.shape()
                ),
            )
            .with_help(help));
        }
        // Names as written: a column's case is its own.
        out.insert(item.name.clone(), item.value.to_string());
    }
    let missing = match (
        out.contains_key("COLUMNS"),
        out.contains_key("COLUMN"),
        out.contains_key("WINDOW"),
    ) {
        (true, true, _) => Some("DEDUPLICATE_WITH takes COLUMNS or COLUMN, not both"),
        (false, false, _) => Some("DEDUPLICATE_WITH needs its key columns: COLUMNS = (…)"),
        (_, _, false) => Some("DEDUPLICATE_WITH needs a WINDOW"),
        _ => None,
    };
    if let Some(message) = missing {
        return Err(
            Diagnostic::error(DiagnosticKind::MissingOption, span, message).with_help(help),
        );
    }
    Ok(JobValue::Group(out))
}

/// `COLUMN_TRANSFORMATIONS`: each column once (by its name as SQL compares it), in the order
/// written, since a later expression may read a column an earlier one made.
fn transformations(items: &[crate::sql::ast::Transformation]) -> Result<JobValue, Diagnostic> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(items.len());
    for (i, t) in items.iter().enumerate() {
        if let Some(first) = items[..i].iter().find(|o| o.column == t.column) {
            return Err(Diagnostic::error(
                DiagnosticKind::RepeatedOption,
                t.column.span,
                format!("COLUMN_TRANSFORMATIONS sets {} twice", t.column),
            )
            .with_secondary(first.column.span, "first set here")
            .with_help("write one expression per column"));
        }
        out.push((t.column.value.clone(), t.expression.clone()));
    }
    Ok(JobValue::Transformations(out))
}

/// A group's settings are kept as written and printed back (SHOW CREATE JOB, history), so one
/// whose name says it holds a secret is refused: a job's definition holds none.
fn no_secret_settings(
    key: &str,
    items: &[crate::sql::ast::GroupSetting],
) -> Result<(), Diagnostic> {
    match items
        .iter()
        .find(|i| crate::sql::spec::looks_like_secret_name(&i.name))
    {
        Some(item) => Err(Diagnostic::error(
            DiagnosticKind::InvalidValue,
            item.span,
            format!(
                "{key}'s {} looks like a secret, and a job's settings are printed back as written",
                item.name
            ),
        )
        .with_help(
            "keep credentials in the connection (AWS_ROLE with EXTERNAL_ID); a job stores none",
        )),
        None => Ok(()),
    }
}

/// A group setting's value as the text it prints back as.
fn group_text(value: &Value) -> String {
    match value {
        Value::Word(w, _) => w.to_ascii_uppercase(),
        other => other.to_string(),
    }
}

/// `(TYPE = CSV …)`: TYPE is required and one of the formats; other settings are kept.
fn file_format(
    items: &[crate::sql::ast::GroupSetting],
    span: Span,
) -> Result<JobValue, Diagnostic> {
    no_secret_settings("FILE_FORMAT", items)?;
    let mut out = BTreeMap::new();
    for item in items {
        out.insert(item.name.clone(), group_text(&item.value));
    }
    match out
        .get("TYPE")
        .map(|t| t.trim_matches('\'').to_ascii_uppercase())
    {
        Some(t) if FILE_FORMATS.contains(&t.as_str()) => {
            out.insert("TYPE".into(), t);
            Ok(JobValue::Group(out))
        }
        Some(t) => Err(Diagnostic::error(
            DiagnosticKind::InvalidValue,
            span,
            format!("FILE_FORMAT cannot be of TYPE {t}"),
        )
        .with_help(format!("use TYPE = {}", FILE_FORMATS.join(" | ")))),
        None => Err(Diagnostic::error(
            DiagnosticKind::MissingOption,
            span,
            "FILE_FORMAT needs a TYPE",
        )
        .with_help("write FILE_FORMAT = (TYPE = PARQUET)")),
    }
}

/// A `DATE_PATTERN`: Java date-format letters down to the minute (`y M d H m`), separators,
/// and `'quoted'` text.
pub fn date_pattern(p: &str) -> Result<(), ValueError> {
    let help =
        "a date pattern uses yyyy, MM, dd, HH and mm with separators, like 'yyyy/MM/dd/HH/mm'";
    let mut letters = 0;
    let mut quoted = false;
    for (i, c) in p.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            'y' | 'M' | 'd' | 'H' | 'm' => letters += 1,
            c if c.is_ascii_alphabetic() => {
                return Err(ValueError::new(format!(
                    "`{c}` is not a date field a location can be partitioned by (down to the minute)"
                ))
                .help(help)
                .at(i));
            }
            _ => {}
        }
    }
    if quoted {
        return Err(ValueError::new("a quoted part is not closed").help(help));
    }
    if letters == 0 {
        return Err(ValueError::new("the pattern has no date field").help(help));
    }
    Ok(())
}

/// A UTC timestamp, `2024-01-31 00:00:00`, `2024-01-31T00:00:00Z` or `2024-01-31`, kept as
/// written.
pub fn timestamp(t: &str) -> Result<String, ValueError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let ok = time::OffsetDateTime::parse(t, &Rfc3339).is_ok()
        || time::PrimitiveDateTime::parse(
            t,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
        .is_ok()
        || time::Date::parse(t, format_description!("[year]-[month]-[day]")).is_ok();
    if ok {
        Ok(t.to_string())
    } else {
        Err(ValueError::new(format!("`{t}` is not a timestamp")).help(
            "write a UTC time as '2024-01-31 00:00:00', '2024-01-31T00:00:00Z' or '2024-01-31'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_patterns() {
        assert!(date_pattern("yyyy/MM/dd/HH/mm").is_ok());
        assert!(date_pattern("'dt='yyyy-MM-dd").is_ok());
        assert_eq!(
            date_pattern("yyyy/MM/dd/HH/mm/ss").unwrap_err().at,
            Some(17)
        );
        assert!(date_pattern("/").is_err());
    }

    #[test]
    fn timestamps() {
        assert!(timestamp("2024-01-31 00:00:00").is_ok());
        assert!(timestamp("2024-01-31T00:00:00Z").is_ok());
        assert!(timestamp("2024-01-31").is_ok());
        assert!(timestamp("yesterday").is_err());
    }
}
