//! Batch mode: statements from files, `-c` strings or a pipe, run in order, each atomic.
//! Validation is proven ahead for a window of statements at a time, concurrently; writes of a
//! window share one commit, and nothing is reported before that commit returns.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use crate::input::{Piece, StatementReader};
use crate::output::Printer;
use crate::session::{Executed, Session, catalog_diag};
use crate::sql::Span;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind, Source, render};

/// Where statements come from, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
    /// The text of one `-c`, and its position among the `-c`s (1-based).
    Command(String, usize),
}

impl Input {
    fn open(&self) -> io::Result<(Box<dyn BufRead>, String)> {
        Ok(match self {
            Input::File(path) => (
                Box::new(BufReader::with_capacity(1 << 16, File::open(path)?)),
                path.display().to_string(),
            ),
            Input::Stdin => (
                Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
                "-".to_string(),
            ),
            Input::Command(sql, n) => (
                Box::new(Cursor::new(sql.clone().into_bytes())),
                format!("<command {n}>"),
            ),
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub struct BatchOptions {
    pub continue_on_error: bool,
    pub single_transaction: bool,
    pub dry_run: bool,
    /// Statements read, validated ahead and committed together.
    pub window: usize,
    /// Colour in diagnostics.
    pub color: bool,
}

/// How a batch went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub ran: usize,
    pub failed: usize,
    /// The statement that stopped the run: its number and location.
    pub stopped_at: Option<(usize, String)>,
    /// Whether the run's changes were rolled back (single transaction or dry run).
    pub rolled_back: bool,
}

impl Summary {
    pub fn success(&self) -> bool {
        self.failed == 0
    }
}

/// Runs every input; `printer` gets outcomes, `err` diagnostics and the summary.
pub fn run<W: Write, E: Write>(
    session: &mut Session,
    inputs: &[Input],
    opts: BatchOptions,
    printer: &mut Printer<W>,
    err: &mut E,
) -> io::Result<Summary> {
    session.remember_validations(true);
    // Statements share a commit per window; one transaction or a dry run keeps everything in
    // one, where a failure half-way ends the run anyway, so those keep per-statement savepoints.
    let fast_path = !opts.single_transaction && !opts.dry_run;
    session.catalog_mut().set_statement_savepoints(!fast_path);
    let mut run = Run {
        session,
        opts,
        printer,
        err,
        pending: Vec::new(),
        summary: Summary::default(),
        fast_path,
    };
    let feed = spawn_reader(inputs.to_vec(), opts.window);
    let result = run.all(&feed);
    run.session.catalog_mut().set_statement_savepoints(true);
    result?;
    run.printer.flush()?;
    Ok(run.summary)
}

/// Whether the run goes on after a statement.
enum Flow {
    Go,
    Stop,
}

/// One batch run: the session, where reports go, and the reports waiting for their commit.
struct Run<'a, W: Write, E: Write> {
    session: &'a mut Session,
    opts: BatchOptions,
    printer: &'a mut Printer<W>,
    err: &'a mut E,
    /// Outcomes of statements not yet committed: printed once their commit returns.
    pending: Vec<Executed>,
    summary: Summary,
    /// Group commits without per-statement savepoints (see `Catalog::set_statement_savepoints`).
    fast_path: bool,
}

impl<W: Write, E: Write> Run<'_, W, E> {
    fn all(&mut self, feed: &Receiver<Feed>) -> io::Result<()> {
        loop {
            let window = next_window(feed, self.opts.window);
            if window.is_empty() {
                break;
            }
            if let Flow::Stop = self.window(&window)? {
                return Ok(());
            }
        }
        self.finish()?;
        if self.summary.failed > 0 {
            write_summary(self.err, &self.summary)?;
        }
        Ok(())
    }

    /// Proves the window's validations ahead, then runs its statements in order and commits.
    fn window(&mut self, window: &[Feed]) -> io::Result<Flow> {
        let requests = window
            .iter()
            .filter_map(|f| match f {
                Feed::Piece(p) => p
                    .result
                    .as_ref()
                    .ok()
                    .and_then(|s| self.session.predicted_validation(s)),
                Feed::Unreadable { .. } => None,
            })
            .collect();
        self.session.prefetch(requests);
        // Statements from `uncommitted` on have run in the open transaction; when a write fails
        // half-way there, they run again from that point with savepoints, each committed on its
        // own, up to and including the one that failed (`replay_until`).
        let mut uncommitted = 0;
        let mut replay_until: Option<usize> = None;
        let mut i = 0;
        while i < window.len() {
            let piece = match &window[i] {
                Feed::Piece(piece) => piece,
                Feed::Unreadable { input, error } => return self.unreadable(input, error),
            };
            self.summary.ran += 1;
            let result = match &piece.result {
                Ok(stmt) => self.session.execute(stmt),
                Err(diag) => Err(vec![diag.clone()]),
            };
            if result.is_err()
                && self.fast_path
                && replay_until.is_none()
                && self.session.catalog().is_poisoned()
            {
                self.undo_group(i + 1 - uncommitted)?;
                replay_until = Some(i);
                i = uncommitted;
                continue;
            }
            let replaying = replay_until.is_some_and(|until| i < until);
            if replay_until == Some(i) {
                self.session.catalog_mut().set_statement_savepoints(false);
                replay_until = None;
            }
            i += 1;
            match result {
                Ok(executed) => {
                    self.succeeded(piece, executed, replaying)?;
                    if replaying {
                        uncommitted = i;
                    }
                }
                Err(diags) => match self.failed(piece, diags)? {
                    Flow::Stop => return Ok(Flow::Stop),
                    Flow::Go => uncommitted = i,
                },
            }
        }
        self.commit_window()?;
        Ok(Flow::Go)
    }

    /// Rolls back the open group of `n` statements, to run them again with savepoints.
    fn undo_group(&mut self, n: usize) -> io::Result<()> {
        if let Err(e) = self.session.catalog_mut().rollback() {
            writeln!(self.err, "{}", catalog_diag(e))?;
        }
        self.summary.ran -= n;
        self.pending.clear();
        self.session.catalog_mut().set_statement_savepoints(true);
        Ok(())
    }

    fn succeeded(&mut self, piece: &Piece, executed: Executed, replaying: bool) -> io::Result<()> {
        // A replayed statement's warnings were shown the first time.
        if !replaying {
            report(
                self.err,
                &executed.warnings,
                &piece.source(),
                self.opts.color,
            )?;
        }
        if self.opts.dry_run {
            self.printer.print(&executed, true)?;
        } else {
            self.pending.push(executed);
        }
        if replaying {
            // Each replayed statement is made durable on its own, so that the one that fails
            // cannot take the others with it.
            self.commit_window()?;
        }
        Ok(())
    }

    fn failed(&mut self, piece: &Piece, mut diags: Vec<Diagnostic>) -> io::Result<Flow> {
        self.summary.failed += 1;
        if self.session.catalog_mut().take_lost_transaction() && !self.pending.is_empty() {
            // SQLite dropped the open transaction: the reports waiting for its commit are
            // void, and the run cannot go on as if they were applied.
            self.summary.ran -= self.pending.len();
            self.pending.clear();
            self.summary.stopped_at = Some((self.summary.ran, piece.location()));
            diags.push(Diagnostic::error(
                DiagnosticKind::Catalog,
                Span::default(),
                "the catalog rolled back the open transaction after this error; the statements \
                 since the last commit were not applied",
            ));
            report(self.err, &diags, &piece.source(), self.opts.color)?;
            write_summary(self.err, &self.summary)?;
            return Ok(Flow::Stop);
        }
        if !self.opts.continue_on_error {
            self.summary.stopped_at = Some((self.summary.ran, piece.location()));
            self.finish()?;
            report(self.err, &diags, &piece.source(), self.opts.color)?;
            write_summary(self.err, &self.summary)?;
            return Ok(Flow::Stop);
        }
        // Earlier statements' reports come first, as they ran first.
        self.commit_window()?;
        report(self.err, &diags, &piece.source(), self.opts.color)?;
        Ok(Flow::Go)
    }

    fn unreadable(&mut self, input: &str, error: &io::Error) -> io::Result<Flow> {
        self.summary.failed += 1;
        self.summary.stopped_at = Some((self.summary.ran + 1, input.to_string()));
        self.finish()?;
        writeln!(self.err, "error: cannot read {input}: {error}")?;
        write_summary(self.err, &self.summary)?;
        Ok(Flow::Stop)
    }

    /// Commits the group's writes (unless one transaction or a dry run holds them) and prints
    /// the reports they earned.
    fn commit_window(&mut self) -> io::Result<()> {
        if self.opts.single_transaction || self.opts.dry_run {
            return Ok(());
        }
        self.commit_and_print()
    }

    fn commit_and_print(&mut self) -> io::Result<()> {
        if let Err(e) = self.session.catalog_mut().commit() {
            // Nothing of the group is durable: say so instead of reporting it done.
            writeln!(self.err, "{}", catalog_diag(e))?;
            self.summary.failed += self.pending.len();
            self.pending.clear();
            return Ok(());
        }
        for executed in self.pending.drain(..) {
            self.printer.print(&executed, false)?;
        }
        self.printer.flush()
    }

    /// Ends the run: commit, or roll back a failed single transaction or any dry run.
    fn finish(&mut self) -> io::Result<()> {
        let roll_back =
            self.opts.dry_run || (self.opts.single_transaction && self.summary.failed > 0);
        if !roll_back {
            return self.commit_and_print();
        }
        if let Err(e) = self.session.catalog_mut().rollback() {
            writeln!(self.err, "{}", catalog_diag(e))?;
        }
        self.summary.rolled_back = true;
        self.pending.clear();
        Ok(())
    }
}

/// What the reader thread hands over: parsed statements in input order, or an input that
/// could not be opened (which ends the feed).
enum Feed {
    Piece(Piece),
    Unreadable { input: String, error: io::Error },
}

/// Reads and parses every input on a thread of its own, a bounded number of statements ahead,
/// so parsing overlaps execution and memory stays bounded. The thread is not joined: if the
/// run stops early while it waits on a pipe, the process ends it.
fn spawn_reader(inputs: Vec<Input>, window: usize) -> Receiver<Feed> {
    let (tx, rx) = mpsc::sync_channel(window.max(1) * 2);
    std::thread::spawn(move || {
        for input in &inputs {
            let (reader, name) = match input.open() {
                Ok(opened) => opened,
                Err(error) => {
                    let _ = tx.send(Feed::Unreadable {
                        input: display_input(input),
                        error,
                    });
                    return;
                }
            };
            for piece in StatementReader::new(reader, &name) {
                if tx.send(Feed::Piece(piece)).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Up to `max` statements: waits for the first, then takes what arrives without a pause, so
/// a slow pipe still gets its statements run (and reported) as they come.
fn next_window(feed: &Receiver<Feed>, max: usize) -> Vec<Feed> {
    let mut window = Vec::new();
    let Ok(first) = feed.recv() else {
        return window;
    };
    window.push(first);
    while window.len() < max.max(1) {
        match feed.try_recv() {
            Ok(item) => window.push(item),
            Err(TryRecvError::Empty) => match feed.recv_timeout(PAUSE) {
                Ok(item) => window.push(item),
                Err(_) => break,
            },
            Err(TryRecvError::Disconnected) => break,
        }
    }
    window
}

/// How long a window waits for more input before running what it has.
const PAUSE: Duration = Duration::from_millis(20);

fn display_input(input: &Input) -> String {
    match input {
        Input::File(p) => p.display().to_string(),
        Input::Stdin => "standard input".into(),
        Input::Command(_, n) => format!("<command {n}>"),
    }
}

fn report<E: Write>(
    err: &mut E,
    diags: &[Diagnostic],
    source: &Source<'_>,
    color: bool,
) -> io::Result<()> {
    for d in diags {
        writeln!(err, "{}", render(d, source, color))?;
    }
    Ok(())
}

fn write_summary<E: Write>(err: &mut E, s: &Summary) -> io::Result<()> {
    let ok = s.ran - s.failed;
    let plural = |n: usize| if n == 1 { "statement" } else { "statements" };
    match &s.stopped_at {
        Some((n, location)) if s.rolled_back => writeln!(
            err,
            "connsql: statement {n} at {location} failed; nothing was applied ({ok} {} before it rolled back)",
            plural(ok)
        ),
        Some((n, location)) => writeln!(
            err,
            "connsql: stopped at statement {n} ({location}): {ok} {} before it applied, the rest not run",
            plural(ok)
        ),
        None => writeln!(
            err,
            "connsql: {} of {} {} failed",
            s.failed,
            s.ran,
            plural(s.ran)
        ),
    }
}
