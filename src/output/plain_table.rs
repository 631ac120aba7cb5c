//! Aligned ASCII tables for output that is not a terminal: nothing to wrap to, so rows are
//! written straight out in one pass. At a terminal, comfy-table sizes the table to the screen.

use std::borrow::Cow;
use std::io::{self, Write};

/// Display width of a cell in characters (byte length for the common all-ASCII case).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The cell with line breaks escaped, borrowed when it has none.
fn flat(s: &str) -> Cow<'_, str> {
    // Two memchr scans beat one scan for either character.
    if s.contains('\n') || s.contains('\r') {
        Cow::Owned(s.replace('\n', "\\n").replace('\r', "\\r"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A cell ready to print, and its width.
fn measure(s: &str) -> (Cow<'_, str>, usize) {
    let cell = flat(s);
    let w = width(&cell);
    (cell, w)
}

/// Writes `rows` under `header`, columns padded to their widest cell. Line breaks inside a
/// cell are shown as `\n` so that a row stays on one line.
pub fn write<S: AsRef<str>>(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<S>],
) -> io::Result<()> {
    let header: Vec<(Cow<'_, str>, usize)> = header.iter().map(|h| measure(h)).collect();
    let rows: Vec<Vec<(Cow<'_, str>, usize)>> = rows
        .iter()
        .map(|r| r.iter().map(|c| measure(c.as_ref())).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|(_, w)| *w).collect();
    for row in &rows {
        for (w, (_, cell_width)) in widths.iter_mut().zip(row) {
            *w = (*w).max(*cell_width);
        }
    }
    let mut line = Vec::with_capacity(256);
    let mut rule = |out: &mut dyn Write, fill: u8, junction: u8| -> io::Result<()> {
        line.clear();
        line.push(b'+');
        for (i, w) in widths.iter().enumerate() {
            line.extend(std::iter::repeat_n(fill, w + 2));
            line.push(if i + 1 == widths.len() {
                b'+'
            } else {
                junction
            });
        }
        line.push(b'\n');
        out.write_all(&line)
    };
    let mut text = Vec::with_capacity(256);
    let mut row_line = |out: &mut dyn Write, cells: &[(Cow<'_, str>, usize)]| -> io::Result<()> {
        text.clear();
        text.push(b'|');
        for (w, (cell, cell_width)) in widths.iter().zip(cells) {
            text.push(b' ');
            text.extend_from_slice(cell.as_bytes());
            text.extend(std::iter::repeat_n(b' ', w - cell_width + 1));
            text.push(b'|');
        }
        text.push(b'\n');
        out.write_all(&text)
    };
    rule(out, b'-', b'+')?;
    row_line(out, &header)?;
    rule(out, b'=', b'=')?;
    for row in &rows {
        row_line(out, row)?;
    }
    rule(out, b'-', b'+')
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
