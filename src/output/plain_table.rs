//! Aligned ASCII tables for output that is not a terminal: nothing to wrap to, so rows are
//! written straight out in one pass. At a terminal, comfy-table sizes the table to the screen.

use std::io::{self, Write};

/// Display width of a cell in characters (byte length for the common all-ASCII case).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Writes `rows` under `header`, columns padded to their widest cell. Line breaks inside a
/// cell are shown as `\n` so that a row stays on one line.
pub fn write<S: AsRef<str>>(
    out: &mut impl Write,
    header: &[&str],
    rows: &[Vec<S>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&flat(cell.as_ref())));
        }
    }
    let rule = |out: &mut dyn Write, fill: u8, junction: u8| -> io::Result<()> {
        let mut line = vec![b'+'];
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
    let mut line = Vec::with_capacity(256);
    let mut row_line =
        |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
            line.clear();
            line.push(b'|');
            for (w, cell) in widths.iter().zip(cells) {
                let cell = flat(cell);
                line.push(b' ');
                line.extend_from_slice(cell.as_bytes());
                line.extend(std::iter::repeat_n(b' ', w - width(&cell) + 1));
                line.push(b'|');
            }
            line.push(b'\n');
            out.write_all(&line)
        };
    rule(out, b'-', b'+')?;
    row_line(out, &mut header.iter().copied())?;
    rule(out, b'=', b'=')?;
    for row in rows {
        row_line(out, &mut row.iter().map(AsRef::as_ref))?;
    }
    rule(out, b'-', b'+')
}

/// The cell with line breaks escaped, borrowed when it has none.
fn flat(s: &str) -> std::borrow::Cow<'_, str> {
    // Two memchr scans beat one scan for either character.
    if s.contains('\n') || s.contains('\r') {
        std::borrow::Cow::Owned(s.replace('\n', "\\n").replace('\r', "\\r"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
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
