//! Aligned ASCII tables for output that is not a terminal: nothing to wrap to, so each row is
//! written as it is, in one pass. At a terminal, comfy-table sizes the table to the screen.

use std::io::{self, Write};

/// Writes `rows` under `header`, columns padded to their widest cell (in characters).
/// Line breaks inside a cell are shown as `\n` so that a row stays on one line.
pub fn write(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let flat = |s: &str| {
        if s.contains(['\n', '\r']) {
            s.replace('\n', "\\n").replace('\r', "\\r")
        } else {
            s.to_string()
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| flat(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let rule = |out: &mut dyn Write, fill: char, junction: char| -> io::Result<()> {
        let mut line = String::from("+");
        for (i, w) in widths.iter().enumerate() {
            line.extend(std::iter::repeat_n(fill, w + 2));
            line.push(if i + 1 == widths.len() { '+' } else { junction });
        }
        writeln!(out, "{line}")
    };
    let row_line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let mut line = String::from("|");
        for (w, cell) in widths.iter().zip(cells) {
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 1));
            line.push('|');
        }
        writeln!(out, "{line}")
    };
    rule(out, '-', '+')?;
    row_line(out, &mut header.iter().copied())?;
    rule(out, '=', '=')?;
    for row in &rows {
        row_line(out, &mut row.iter().map(String::as_str))?;
    }
    rule(out, '-', '+')
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_by_characters() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["lake".to_string(), "été".to_string()],
            vec!["x".to_string(), "a\nb".to_string()],
        ];
        super::write(&mut out, &["name", "comment"], &rows).unwrap();
        let expected = r"+------+---------+
| name | comment |
+================+
| lake | été     |
| x    | a\nb    |
+------+---------+
";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
