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

/// Runs every input; `out` gets outcomes, `err` diagnostics and the summary.
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
    let mut summary = Summary::default();
    let mut pending: Vec<Executed> = Vec::new();
    let feed = spawn_reader(inputs.to_vec(), opts.window);
    'windows: loop {
        let window = next_window(&feed, opts.window);
        if window.is_empty() {
            break;
        }
        let requests = window
            .iter()
            .filter_map(|f| match f {
                Feed::Piece(p) => p
                    .result
                    .as_ref()
                    .ok()
                    .and_then(|s| session.predicted_validation(s)),
                Feed::Unreadable { .. } => None,
            })
            .collect();
        session.prefetch(requests);
        // Statements from `uncommitted` on have run in the open transaction; when a write
        // fails half-way there, they run again from that point with savepoints (see
        // `Catalog::set_statement_savepoints`), up to and including `replay_until`.
        let mut uncommitted = 0;
        let mut replay_until: Option<usize> = None;
        let mut i = 0;
        while i < window.len() {
            let piece = match &window[i] {
                Feed::Piece(piece) => piece,
                Feed::Unreadable { input, error } => {
                    summary.failed += 1;
                    summary.stopped_at = Some((summary.ran + 1, input.clone()));
                    finish(session, opts, &mut pending, printer, err, &mut summary)?;
                    writeln!(err, "error: cannot read {input}: {error}")?;
                    write_summary(err, &summary)?;
                    break 'windows;
                }
            };
            summary.ran += 1;
            let result = match &piece.result {
                Ok(stmt) => session.execute(stmt),
                Err(diag) => Err(vec![diag.clone()]),
            };
            if result.is_err()
                && session.catalog().is_poisoned()
                && replay_until.is_none()
                && fast_path
            {
                // Undo the group, and run it again statement by statement with savepoints.
                if let Err(e) = session.catalog_mut().rollback() {
                    writeln!(err, "{}", catalog_diag(e))?;
                }
                summary.ran -= i + 1 - uncommitted;
                pending.clear();
                session.catalog_mut().set_statement_savepoints(true);
                replay_until = Some(i);
                i = uncommitted;
                continue;
            }
            let replaying_earlier = replay_until.is_some_and(|until| i < until);
            if replay_until == Some(i) {
                session.catalog_mut().set_statement_savepoints(false);
                replay_until = None;
            }
            i += 1;
            match result {
                Ok(executed) => {
                    if !replaying_earlier {
                        report(err, &executed.warnings, &piece.source(), opts.color)?;
                    }
                    if opts.dry_run {
                        printer.print(&executed, true)?;
                    } else {
                        pending.push(executed);
                    }
                    if replaying_earlier {
                        // Each replayed statement is made durable on its own, so that the
                        // one that fails cannot take the others with it.
                        commit_window(session, opts, &mut pending, printer, err, &mut summary)?;
                        uncommitted = i;
                    }
                }
                Err(mut diags) => {
                    summary.failed += 1;
                    if session.catalog_mut().take_lost_transaction() && !pending.is_empty() {
                        // SQLite dropped the open transaction: the reports waiting for its
                        // commit are void, and the run cannot go on as if they were applied.
                        summary.ran -= pending.len();
                        pending.clear();
                        summary.stopped_at = Some((summary.ran, piece.location()));
                        diags.push(Diagnostic::error(
                            DiagnosticKind::Catalog,
                            Span::default(),
                            "the catalog rolled back the open transaction after this error; the statements \
                             since the last commit were not applied",
                        ));
                        report(err, &diags, &piece.source(), opts.color)?;
                        write_summary(err, &summary)?;
                        break 'windows;
                    }
                    if !opts.continue_on_error {
                        summary.stopped_at = Some((summary.ran, piece.location()));
                        finish(session, opts, &mut pending, printer, err, &mut summary)?;
                        report(err, &diags, &piece.source(), opts.color)?;
                        write_summary(err, &summary)?;
                        break 'windows;
                    }
                    // Earlier statements' reports come first, as they ran first.
                    commit_window(session, opts, &mut pending, printer, err, &mut summary)?;
                    uncommitted = i;
                    report(err, &diags, &piece.source(), opts.color)?;
                }
            }
        }
        commit_window(session, opts, &mut pending, printer, err, &mut summary)?;
    }
    if summary.stopped_at.is_none() {
        finish(session, opts, &mut pending, printer, err, &mut summary)?;
        if summary.failed > 0 {
            write_summary(err, &summary)?;
        }
    }
    session.catalog_mut().set_statement_savepoints(true);
    printer.flush()?;
    Ok(summary)
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

/// Commits the window's writes (unless one transaction or a dry run holds them) and prints
/// the reports they earned.
fn commit_window<W: Write, E: Write>(
    session: &mut Session,
    opts: BatchOptions,
    pending: &mut Vec<Executed>,
    printer: &mut Printer<W>,
    err: &mut E,
    summary: &mut Summary,
) -> io::Result<()> {
    if opts.single_transaction || opts.dry_run {
        return Ok(());
    }
    if let Err(e) = session.catalog_mut().commit() {
        // Nothing of the window is durable: say so instead of reporting it done.
        writeln!(err, "{}", catalog_diag(e))?;
        summary.failed += pending.len();
        pending.clear();
        return Ok(());
    }
    for executed in pending.drain(..) {
        printer.print(&executed, false)?;
    }
    printer.flush()
}

/// Ends the run: commit, or roll back a failed single transaction or any dry run.
fn finish<W: Write, E: Write>(
    session: &mut Session,
    opts: BatchOptions,
    pending: &mut Vec<Executed>,
    printer: &mut Printer<W>,
    err: &mut E,
    summary: &mut Summary,
) -> io::Result<()> {
    let roll_back = opts.dry_run || (opts.single_transaction && summary.failed > 0);
    if roll_back {
        if let Err(e) = session.catalog_mut().rollback() {
            writeln!(err, "{}", catalog_diag(e))?;
        }
        summary.rolled_back = true;
        pending.clear();
        return Ok(());
    }
    commit_window(
        session,
        BatchOptions {
            single_transaction: false,
            ..opts
        },
        pending,
        printer,
        err,
        summary,
    )
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
