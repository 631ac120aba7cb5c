//! Result sets as text tables. A table of connections shows its compact columns (those that
//! are empty in every row dropped); at a terminal cells are cut to fit its width with `…`,
//! never wrapped; `-x` prints one record per block instead, every column whole. Control
//! characters in stored text are shown as escapes, so they cannot drive the terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;

use super::TableStyle;
use super::plain_table;
use super::rows::{ResultSet, SHOW_COMPACT, SHOW_JOB_COMPACT, Shape};
use crate::catalog::{StoredConnection, StoredJob};
use crate::clock::rfc3339;
use crate::sql::Credentials;
use crate::sql::redact::escape_controls;

/// SHOW CONNECTIONS as a table: its compact columns, cells borrowed from the connections
/// (it is the statement people run most, and start-up time matters there).
pub fn connections(
    out: &mut impl Write,
    all: &[StoredConnection],
    style: TableStyle,
) -> io::Result<()> {
    let validated: Vec<String> = all
        .iter()
        .map(|c| c.validated_at.map(rfc3339).unwrap_or_default())
        .collect();
    let full: Vec<[Cow<'_, str>; 6]> = all
        .iter()
        .zip(&validated)
        .map(|(c, validated)| {
            let role_or_key = match &c.spec.credentials {
                Credentials::Role { arn, .. } => arn.as_str(),
                Credentials::Keys { access_key_id, .. } => access_key_id.as_str(),
                Credentials::Default => "",
            };
            [
                one_line(&c.name),
                Cow::Borrowed(c.spec.credentials.method()),
                Cow::Borrowed(role_or_key),
                Cow::Borrowed(if c.spec.read_only { "true" } else { "false" }),
                Cow::Borrowed(validated.as_str()),
                c.spec
                    .comment
                    .as_deref()
                    .map_or(Cow::Borrowed(""), one_line),
            ]
        })
        .collect();
    let keep: Vec<usize> = (0..SHOW_COMPACT.len())
        .filter(|&i| i == 0 || full.iter().any(|r| !r[i].is_empty()))
        .collect();
    let header: Vec<&str> = keep.iter().map(|&i| SHOW_COMPACT[i]).collect();
    let cells: Vec<Vec<Cow<'_, str>>> = full
        .into_iter()
        .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
        .collect();
    let cut = grid(out, &header, cells, style)?;
    // The columns the compact table leaves out that hold something (the role ARN and the key
    // ID are in role_or_key; `type` is always S3).
    let mut left_out: Vec<&str> = Vec::new();
    for (column, held) in [
        (
            "external_id",
            all.iter().any(|c| {
                matches!(
                    c.spec.credentials,
                    Credentials::Role {
                        external_id: Some(_),
                        ..
                    }
                )
            }),
        ),
        (
            "path_display_filters",
            all.iter().any(|c| !c.spec.path_display_filters.is_empty()),
        ),
        (
            "encryption_kms_key",
            all.iter().any(|c| c.spec.encryption_kms_key.is_some()),
        ),
        ("created_at", !all.is_empty()),
        ("updated_at", !all.is_empty()),
    ] {
        if held {
            left_out.push(column);
        }
    }
    count(out, all.len())?;
    footer(out, cut, &left_out)
}

/// What the table did not show, said once: cut values, and columns left out.
fn footer(out: &mut impl Write, cut: bool, left_out: &[&str]) -> io::Result<()> {
    match (cut, left_out.is_empty()) {
        (false, true) => Ok(()),
        (true, true) => writeln!(out, "(values cut to fit the terminal: -x shows them whole)"),
        (cut, false) => writeln!(
            out,
            "({}not shown: {}; -x or --format json shows every column)",
            if cut {
                "values cut to fit the terminal; "
            } else {
                ""
            },
            left_out.join(", ")
        ),
    }
}

/// SHOW JOBS as a table: its compact columns, those empty in every row dropped.
pub fn jobs(out: &mut impl Write, all: &[StoredJob], style: TableStyle) -> io::Result<()> {
    let full: Vec<Vec<Cow<'_, str>>> = all
        .iter()
        .map(|j| {
            vec![
                one_line(&j.name),
                Cow::Borrowed(j.spec.kind().as_str()),
                Cow::Borrowed(if j.spec.sync { "true" } else { "false" }),
                one_line(&j.connection_name),
                one_line(&j.owner),
                Cow::Owned(escape_controls(&j.spec.location()).into_owned()),
                Cow::Owned(escape_controls(&j.spec.target().unwrap_or_default()).into_owned()),
                Cow::Owned(j.validated_at.map(rfc3339).unwrap_or_default()),
                j.spec.comment().map_or(Cow::Borrowed(""), one_line),
            ]
        })
        .collect();
    let keep: Vec<usize> = (0..SHOW_JOB_COMPACT.len())
        .filter(|&i| i == 0 || full.iter().any(|r| !r[i].is_empty()))
        .collect();
    let header: Vec<&str> = keep.iter().map(|&i| SHOW_JOB_COMPACT[i]).collect();
    let cells = full
        .into_iter()
        .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
        .collect();
    let cut = grid(out, &header, cells, style)?;
    let mut left_out: Vec<&str> = Vec::new();
    for (column, held) in [
        (
            "source_tables",
            all.iter().any(|j| !j.spec.source_tables().is_empty()),
        ),
        ("options", all.iter().any(|j| !j.spec.options.is_empty())),
        ("created_at", !all.is_empty()),
        ("updated_at", !all.is_empty()),
    ] {
        if held {
            left_out.push(column);
        }
    }
    count(out, all.len())?;
    footer(out, cut, &left_out)
}

/// Rows under a header: sized to the terminal (cells cut, never wrapped) or plain. Whether
/// anything was cut or left out to fit.
fn grid(
    out: &mut impl Write,
    header: &[&str],
    cells: Vec<Vec<Cow<'_, str>>>,
    style: TableStyle,
) -> io::Result<bool> {
    if !style.terminal {
        plain_table::write(out, header, &cells)?;
        return Ok(false);
    }
    let mut table = Table::new();
    let cells: Vec<Vec<String>> = cells
        .into_iter()
        .map(|r| r.into_iter().map(Cow::into_owned).collect())
        .collect();
    let (header, cells, cut) = match table.width().map(usize::from) {
        Some(w) => fit(header, cells, w),
        None => (header.to_vec(), cells, false),
    };
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(header.iter().copied());
    table.add_rows(cells);
    writeln!(out, "{table}")?;
    Ok(cut)
}

pub fn write(out: &mut impl Write, set: &ResultSet, style: TableStyle) -> io::Result<()> {
    if set.shape == Shape::Document {
        for row in &set.rows {
            match row.last() {
                Some(Value::String(s)) => writeln!(out, "{}", escape_controls(s))?,
                Some(v) => writeln!(out, "{}", super::json_text(v, true))?,
                None => {}
            }
        }
        return Ok(());
    }
    if style.expanded {
        return expanded(out, set);
    }
    let (header, cells) = shown_columns(set);
    let cells = cells
        .into_iter()
        .map(|r| r.into_iter().map(Cow::Owned).collect())
        .collect();
    let cut = grid(out, &header, cells, style)?;
    count(out, set.rows.len())?;
    footer(out, cut, &[])
}

fn count(out: &mut impl Write, n: usize) -> io::Result<()> {
    writeln!(out, "({n} row{})", if n == 1 { "" } else { "s" })
}

/// The columns of a result set and their cells as text.
fn shown_columns(set: &ResultSet) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let cells = set
        .rows
        .iter()
        .map(|r| r.iter().map(|v| text_cell(v).into_owned()).collect())
        .collect();
    (set.columns.clone(), cells)
}

/// Makes the table fit `width` characters: timestamps go first (a row is told apart by its
/// name and values, not by when it changed), then the widest columns are cut, each cut cell
/// keeping its start and its end around `…` (`arn:aws:iam::123…:role/lake-rw`). A column keeps
/// at least its header's width (or 8 characters). The header and cells that remain, and
/// whether anything was cut or dropped.
fn fit<'h>(
    header: &[&'h str],
    mut cells: Vec<Vec<String>>,
    width: usize,
) -> (Vec<&'h str>, Vec<Vec<String>>, bool) {
    let mut header = header.to_vec();
    let widths_of = |header: &[&str], cells: &[Vec<String>]| -> Vec<usize> {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        widths
    };
    // Borders and padding: "│ " before each column, " │" after the last.
    let budget = |n: usize| width.saturating_sub(3 * n + 1);
    let mut widths = widths_of(&header, &cells);
    let mut changed = false;
    while widths.iter().sum::<usize>() > budget(header.len()) {
        let Some(i) = header.iter().rposition(|h| h.ends_with("_at")) else {
            break;
        };
        header.remove(i);
        widths.remove(i);
        for row in &mut cells {
            row.remove(i);
        }
        changed = true;
    }
    let floor: Vec<usize> = header.iter().map(|h| h.chars().count().max(8)).collect();
    let budget = budget(header.len());
    while widths.iter().sum::<usize>() > budget {
        let Some((i, _)) = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| **w > floor[*i])
            .max_by_key(|(_, w)| **w)
        else {
            break;
        };
        widths[i] -= 1;
    }
    for row in &mut cells {
        for (cell, &w) in row.iter_mut().zip(&widths) {
            let chars: Vec<char> = cell.chars().collect();
            if chars.len() > w {
                // A third of what fits from the start, the rest from the end: where ARNs and
                // paths tell rows apart.
                let keep = w.saturating_sub(1);
                let head = keep / 3;
                let tail = keep - head;
                let mut cut: String = chars[..head].iter().collect();
                cut.push('…');
                cut.extend(&chars[chars.len() - tail..]);
                *cell = cut;
                changed = true;
            }
        }
    }
    (header, cells, changed)
}

/// One block per record: `-[ RECORD 1 ]-` then `column | value` lines, values whole.
fn expanded(out: &mut impl Write, set: &ResultSet) -> io::Result<()> {
    let width = set
        .columns
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    for (i, row) in set.rows.iter().enumerate() {
        writeln!(
            out,
            "-[ RECORD {} ]{}",
            i + 1,
            "-".repeat(width.saturating_sub(8))
        )?;
        for (column, value) in set.columns.iter().zip(row) {
            writeln!(out, "{column:width$} | {}", text_cell(value))?;
        }
    }
    count(out, set.rows.len())
}

/// A cell's text on one line: line breaks and control characters escaped.
fn text_cell(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) => one_line(s),
        Value::Array(items) => Cow::Owned(
            items
                .iter()
                .map(|i| text_cell(i).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        other => Cow::Owned(super::json_text(other, false)),
    }
}

fn one_line(s: &str) -> Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        Cow::Owned(escape_controls(&s.replace('\n', "\\n").replace('\r', "\\r")).into_owned())
    } else {
        escape_controls(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_to_fit_not_wrapped() {
        let header = ["name", "aws_role"];
        let cells = vec![vec![
            "lake".to_string(),
            "arn:aws:iam::123456789012:role/a-very-long-role-name-indeed".to_string(),
        ]];
        let (_, fitted, cut) = fit(&header, cells, 40);
        let width: usize = fitted[0].iter().map(|c| c.chars().count()).sum::<usize>() + 7;
        assert!(width <= 40, "{fitted:?}");
        assert!(cut);
        // The start and the end are kept: the role's name tells rows apart.
        assert!(fitted[0][1].starts_with("arn:aws"), "{fitted:?}");
        assert!(fitted[0][1].ends_with("name-indeed"), "{fitted:?}");
        assert!(fitted[0][1].contains('…'), "{fitted:?}");
        assert_eq!(fitted[0][0], "lake");
    }

    #[test]
    fn timestamps_go_before_anything_is_cut() {
        let header = ["name", "aws_role", "validated_at"];
        let cells = vec![vec![
            "lake".to_string(),
            "arn:aws:iam::123456789012:role/lake-rw".to_string(),
            "2026-12-01T17:00:00.000Z".to_string(),
        ]];
        let (header, fitted, cut) = fit(&header, cells, 52);
        assert_eq!(header, ["name", "aws_role"]);
        assert!(cut);
        assert_eq!(fitted[0][1], "arn:aws:iam::123456789012:role/lake-rw");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            text_cell(&Value::from("a\x1b]0;x\x07b")),
            "a\\x1b]0;x\\x07b"
        );
        assert_eq!(text_cell(&Value::from("a\nb")), "a\\nb");
    }
}
