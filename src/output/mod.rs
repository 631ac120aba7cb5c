//! Printing outcomes as a table, JSON (one line per statement) or CSV. No SQL logic.

use std::borrow::Cow;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value, json};

use crate::catalog::format_time;

mod plain_table;
use crate::session::{Executed, Outcome, ResultSet, Shape, Status};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Writes outcomes to stdout in the chosen format.
pub struct Printer<W: Write> {
    pub out: W,
    pub format: Format,
    /// Suppresses the one-line reports of table format (result sets still print).
    pub quiet: bool,
    /// Whether stdout is a terminal (Unicode borders, width-aware wrapping).
    pub terminal: bool,
}

impl<W: Write> Printer<W> {
    pub fn print(&mut self, executed: &Executed, dry_run: bool) -> io::Result<()> {
        match (&executed.outcome, self.format) {
            (Outcome::Rows(set), Format::Table) => self.table(set),
            (Outcome::Rows(set), Format::Json) => {
                let rows: Vec<Value> = set
                    .rows
                    .iter()
                    .map(|r| Value::Object(row_object(set, r)))
                    .collect();
                writeln!(self.out, "{}", Value::Array(rows))
            }
            (Outcome::Rows(set), Format::Csv) => self.csv(
                &set.columns,
                set.rows.iter().map(|r| r.iter().map(csv_cell).collect()),
            ),
            (Outcome::Done { .. }, Format::Json) => writeln!(
                self.out,
                "{}",
                Value::Object(done_object(&executed.outcome, dry_run))
            ),
            (
                Outcome::Done {
                    status,
                    connection,
                    detail,
                    ..
                },
                Format::Csv,
            ) => self.csv(
                &["status", "connection", "detail", "dry_run"],
                std::iter::once(vec![
                    status.as_str().to_string(),
                    connection.clone(),
                    detail.clone().unwrap_or_default(),
                    dry_run.to_string(),
                ]),
            ),
            (Outcome::Done { .. }, Format::Table) if self.quiet => Ok(()),
            (Outcome::Done { .. }, Format::Table) => {
                writeln!(self.out, "{}", sentence(&executed.outcome, dry_run))
            }
        }
    }

    fn table(&mut self, set: &ResultSet) -> io::Result<()> {
        if set.shape == Shape::Document {
            for row in &set.rows {
                match row.last() {
                    Some(Value::String(s)) => writeln!(self.out, "{s}")?,
                    Some(v) => writeln!(
                        self.out,
                        "{}",
                        serde_json::to_string_pretty(v).unwrap_or_default()
                    )?,
                    None => {}
                }
            }
            return Ok(());
        }
        let cells: Vec<Vec<Cow<'_, str>>> = set
            .rows
            .iter()
            .map(|r| r.iter().map(text_cell).collect())
            .collect();
        if self.terminal {
            // At a terminal the table is sized to its width, wrapping long cells.
            let mut table = Table::new();
            table.load_style(presets::UTF8_FULL_CONDENSED);
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_header(set.columns.iter().copied());
            table.add_rows(cells.iter().map(|r| r.iter().map(|c| c.to_string())));
            writeln!(self.out, "{table}")?;
        } else {
            plain_table::write(&mut self.out, &set.columns, &cells)?;
        }
        let n = set.rows.len();
        writeln!(self.out, "({n} row{})", if n == 1 { "" } else { "s" })
    }

    fn csv(&mut self, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(&mut self.out);
        w.write_record(header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn row_object(set: &ResultSet, row: &[Value]) -> Map<String, Value> {
    set.columns
        .iter()
        .map(|c| c.to_string())
        .zip(row.iter().cloned())
        .collect()
}

fn done_object(outcome: &Outcome, dry_run: bool) -> Map<String, Value> {
    let Outcome::Done {
        status,
        connection,
        detail,
        validation,
    } = outcome
    else {
        return Map::new();
    };
    let mut o = Map::new();
    o.insert("status".into(), json!(status.as_str()));
    o.insert("connection".into(), json!(connection));
    if let Some(d) = detail {
        o.insert("detail".into(), json!(d));
    }
    if dry_run {
        o.insert("dry_run".into(), json!(true));
    }
    if let Some(v) = validation {
        o.insert("validated_at".into(), json!(format_time(v.at)));
        o.insert("caller_arn".into(), json!(v.caller_arn));
        o.insert("assumed_role_arn".into(), json!(v.assumed_role_arn));
        o.insert("warnings".into(), json!(v.warnings));
    }
    o
}

/// The table-format report of a statement: "created connection lake (validated …)".
pub fn sentence(outcome: &Outcome, dry_run: bool) -> String {
    let Outcome::Done {
        status,
        connection,
        detail,
        validation,
    } = outcome
    else {
        return String::new();
    };
    let name = crate::sql::Ident::new(connection.as_str()).to_string();
    let verb = match (status, dry_run) {
        (Status::Created, false) => "created",
        (Status::Created, true) => "would create",
        (Status::Replaced, false) => "replaced",
        (Status::Replaced, true) => "would replace",
        (Status::Altered, false) => "altered",
        (Status::Altered, true) => "would alter",
        (Status::Renamed, false) => "renamed to",
        (Status::Renamed, true) => "would rename to",
        (Status::Dropped, false) => "dropped",
        (Status::Dropped, true) => "would drop",
        (Status::Validated, _) => "validated",
        (Status::Unchanged, _) => "unchanged:",
        (Status::Skipped, _) => "skipped:",
    };
    let mut s = format!("{verb} connection {name}");
    if let Some(d) = detail {
        s.push_str(&format!(" ({d})"));
    }
    if let Some(v) = validation {
        match (&v.assumed_role_arn, &v.caller_arn) {
            (Some(role), _) => s.push_str(&format!(" [validated: assumed {role}]")),
            (None, Some(caller)) => s.push_str(&format!(" [validated: authenticated as {caller}]")),
            (None, None) => s.push_str(" [validated]"),
        }
    }
    s
}

fn text_cell(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) => Cow::Borrowed(s),
        Value::Array(items) => {
            Cow::Owned(items.iter().map(text_cell).collect::<Vec<_>>().join(", "))
        }
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        other => Cow::Owned(other.to_string()),
    }
}

fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
