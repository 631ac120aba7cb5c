//! Printing outcomes as a table, JSON (one line per statement) or CSV. The only code that turns
//! outcomes into text; no SQL logic.

mod console;
mod plain_table;
mod rows;
mod summary;
mod table;

use std::io::{self, Write};

use serde_json::Value;

pub use console::{Console, ErrLooks, plain};
pub use rows::{
    ResultSet, SHOW_COMPACT, SHOW_JOB_COLUMNS, SHOW_JOB_COMPACT, Shape, change_object, result_set,
    show_columns,
};
pub use summary::write_summary;

use crate::session::{Executed, Outcome, Proof, Status};
use crate::sql::redact::escape_controls;

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

/// How tables look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableStyle {
    /// Whether stdout is a terminal: borders in Unicode, cells cut to its width.
    pub terminal: bool,
    /// One record per block (`-x`), every column shown.
    pub expanded: bool,
}

/// Writes outcomes in the chosen format.
pub struct Printer<W: Write> {
    pub out: W,
    pub format: Format,
    /// Suppresses the one-line reports of table format (result sets still print).
    pub quiet: bool,
    pub style: TableStyle,
    /// The last CSV header written: a result of the same shape adds rows under it.
    csv_header: Option<Vec<&'static str>>,
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, format: Format, quiet: bool, style: TableStyle) -> Self {
        Printer {
            out,
            format,
            quiet,
            style,
            csv_header: None,
        }
    }

    pub fn print(&mut self, executed: &Executed, dry_run: bool) -> io::Result<()> {
        let outcome = &executed.outcome;
        if let (Format::Table, false) = (self.format, self.style.expanded) {
            match outcome {
                Outcome::Connections(all) => {
                    return table::connections(&mut self.out, all, self.style);
                }
                Outcome::Jobs(all) => return table::jobs(&mut self.out, all, self.style),
                _ => {}
            }
        }
        match (result_set(outcome), self.format) {
            (Some(set), Format::Table) => table::write(&mut self.out, &set, self.style),
            (Some(set), Format::Json) => {
                let rows: Vec<Value> = set
                    .rows
                    .iter()
                    .map(|r| {
                        Value::Object(
                            set.columns
                                .iter()
                                .map(|c| c.to_string())
                                .zip(r.iter().cloned())
                                .collect(),
                        )
                    })
                    .collect();
                writeln!(self.out, "{}", json_text(&Value::Array(rows), false))
            }
            (Some(set), Format::Csv) => self.csv(
                &set.columns,
                set.rows.iter().map(|r| r.iter().map(csv_cell).collect()),
            ),
            (None, Format::Json) => writeln!(
                self.out,
                "{}",
                json_text(&Value::Object(change_object(outcome, dry_run)), false)
            ),
            (None, Format::Csv) => {
                if let Outcome::Grant { .. } = outcome {
                    let o = change_object(outcome, dry_run);
                    let cell = |k: &str| o.get(k).map(csv_cell).unwrap_or_default();
                    return self.csv(
                        &[
                            "status",
                            "privilege",
                            "on",
                            "connection",
                            "roles",
                            "dry_run",
                        ],
                        std::iter::once(vec![
                            cell("status"),
                            cell("privilege"),
                            cell("on"),
                            cell("connection"),
                            cell("roles"),
                            dry_run.to_string(),
                        ]),
                    );
                }
                let Outcome::Changed {
                    status,
                    object,
                    detail,
                    ..
                } = outcome
                else {
                    return Ok(());
                };
                self.csv(
                    &["status", object.kind(), "detail", "dry_run"],
                    std::iter::once(vec![
                        status.as_str().to_string(),
                        escape_controls(object.name()).into_owned(),
                        escape_controls(detail.as_deref().unwrap_or_default()).into_owned(),
                        dry_run.to_string(),
                    ]),
                )
            }
            (None, Format::Table) if self.quiet => Ok(()),
            (None, Format::Table) => {
                writeln!(self.out, "{}", escape_controls(&sentence(outcome, dry_run)))
            }
        }
    }

    /// CSV rows, under a header unless the last result had the same one: a batch's output is
    /// one CSV file per shape of result.
    fn csv(
        &mut self,
        header: &[&'static str],
        rows: impl Iterator<Item = Vec<String>>,
    ) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(&mut self.out);
        if self.csv_header.as_deref() != Some(header) {
            w.write_record(header)?;
            self.csv_header = Some(header.to_vec());
        }
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The table-format report of a change: "created connection lake [validated: …]".
pub fn sentence(outcome: &Outcome, dry_run: bool) -> String {
    if let Outcome::Grant {
        status,
        privilege,
        connection,
        roles,
        detail,
    } = outcome
    {
        let on = match connection {
            Some(c) => format!("connection {}", crate::sql::Ident::new(c.as_str())),
            None => "the catalog".to_string(),
        };
        let roles: Vec<String> = roles
            .iter()
            .map(|r| {
                if r == "public" {
                    "PUBLIC".to_string()
                } else {
                    crate::sql::Ident::new(r.as_str()).to_string()
                }
            })
            .collect();
        let (verb, to) = match (status, dry_run) {
            (Status::Revoked, false) => ("revoked", "from"),
            (Status::Revoked, true) => ("would revoke", "from"),
            (Status::Granted, true) => ("would grant", "to"),
            (Status::Unchanged, _) => ("unchanged:", "for"),
            _ => ("granted", "to"),
        };
        let mut s = format!(
            "{verb} {} on {on} {to} {}",
            privilege.as_str(),
            roles.join(", ")
        );
        if let Some(d) = detail {
            s.push_str(&format!(" ({d})"));
        }
        return s;
    }
    let Outcome::Changed {
        status,
        object,
        detail,
        proof,
        dropped_jobs,
    } = outcome
    else {
        return String::new();
    };
    let name = crate::sql::Ident::new(object.name()).to_string();
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
        (Status::Granted, _) => "granted",
        (Status::Revoked, _) => "revoked",
    };
    let mut s = format!("{verb} {} {name}", object.kind());
    if let Some(d) = detail {
        s.push_str(&format!(" ({d})"));
    }
    if let Some(Proof {
        record,
        shared_with,
    }) = proof
    {
        match (&record.assumed_role_arn, &record.caller_arn) {
            (Some(role), _) => s.push_str(&format!(" [validated: assumed {role}")),
            (None, Some(caller)) => s.push_str(&format!(" [validated: authenticated as {caller}")),
            (None, None) => s.push_str(" [validated"),
        }
        if let Some(other) = shared_with {
            s.push_str(&format!(
                "; the proof made for {} earlier in this run, same credentials",
                crate::sql::Ident::new(other.as_str())
            ));
        }
        s.push(']');
    }
    if !dropped_jobs.is_empty() {
        let names: Vec<String> = dropped_jobs
            .iter()
            .map(|n| crate::sql::Ident::new(n.as_str()).to_string())
            .collect();
        s.push_str(&format!(
            " and its {} {}",
            if names.len() == 1 { "job" } else { "jobs" },
            names.join(", ")
        ));
    }
    s
}

/// A CSV cell: text with its control characters escaped, as every format shows them.
fn csv_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => escape_controls(s).into_owned(),
        other => json_text(other, false),
    }
}

/// JSON text with every character a terminal acts on escaped as `\uXXXX`: serde_json escapes
/// C0 controls, not C1 controls, bidirectional overrides or line separators. Outside strings
/// JSON text is ASCII, so the escapes land inside strings, where they mean the same character.
pub(crate) fn json_text(v: &Value, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    }
    .unwrap_or_default();
    let unsafe_char =
        |c: char| crate::sql::redact::is_control(c) || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(unsafe_char) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
