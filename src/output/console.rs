//! The reporter of a run at a terminal or on pipes: outcomes through the printer on stdout,
//! diagnostics rendered on stderr, in input order.

use std::io::{self, Write};

use super::Printer;
use crate::input::Piece;
use crate::session::{Report, Reporter};
use crate::sql::diagnostic::Diagnostic;
use crate::sql::render::{DEFAULT_WIDTH, Drawing, render_all};

/// Reports to a terminal or pipes: outcomes through the printer, diagnostics rendered on the
/// error stream. Standard output is flushed before anything goes to standard error, so the two
/// read in input order when they share a screen.
pub struct Console<'a, W: Write, E: Write> {
    pub printer: &'a mut Printer<W>,
    pub err: &'a mut E,
    pub looks: ErrLooks,
}

/// How the error stream shows diagnostics.
#[derive(Clone, Copy, Debug, Default)]
pub struct ErrLooks {
    /// In colour.
    pub color: bool,
    /// Whether the error stream is a terminal: a diagnostic's source line is then cut to its
    /// width, read at each report (the window may have been resized since the last).
    pub terminal: bool,
}

impl ErrLooks {
    fn drawing(self) -> Drawing {
        let width = self
            .terminal
            .then(|| terminal_size::terminal_size_of(io::stderr()))
            .flatten()
            .map_or(DEFAULT_WIDTH, |(w, _)| usize::from(w.0));
        Drawing {
            color: self.color,
            width,
        }
    }
}

impl<W: Write, E: Write> Console<'_, W, E> {
    fn diagnostics(&mut self, piece: &Piece, diags: &[Diagnostic]) -> io::Result<()> {
        if diags.is_empty() {
            return Ok(());
        }
        self.printer.flush()?;
        writeln!(
            self.err,
            "{}",
            render_all(diags, &piece.source(), self.looks.drawing())
        )
    }
}

impl<W: Write, E: Write> Reporter for Console<'_, W, E> {
    fn report(&mut self, report: Report<'_>) -> io::Result<()> {
        match report {
            Report::Done {
                piece,
                executed,
                dry_run,
            } => {
                self.diagnostics(piece, &executed.warnings)?;
                self.printer.print(executed, dry_run)?;
                // A slow pipe or a dry run shows each report as it comes.
                if dry_run {
                    self.printer.flush()?;
                }
                Ok(())
            }
            Report::Failed { piece, diagnostics } => self.diagnostics(piece, diagnostics),
            Report::Problem(diag) => {
                self.printer.flush()?;
                writeln!(self.err, "{}", plain(diag))
            }
            Report::Skipped { piece, diagnostic } => {
                self.printer.flush()?;
                writeln!(
                    self.err,
                    "skipped statement {} ({}:{}): {}",
                    piece.seq,
                    crate::sql::redact::escape_controls(&piece.source_name),
                    piece.line(),
                    crate::sql::redact::escape_controls(&diagnostic.message)
                )
            }
            Report::Unreadable { input, error } => {
                self.printer.flush()?;
                writeln!(
                    self.err,
                    "error[unreadable-input]: cannot read {input}: {error}"
                )
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.printer.flush()
    }
}

/// A diagnostic without a statement to point into: headline, label, help.
pub fn plain(diag: &Diagnostic) -> String {
    let mut s = diag.to_string();
    if let Some(label) = &diag.label {
        s.push_str(&format!("\n  = {label}"));
    }
    if let Some(help) = &diag.help {
        s.push_str(&format!("\n  = help: {help}"));
    }
    s
}
