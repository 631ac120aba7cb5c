//! Batch mode's two jobs around the session's unit of work: reading the inputs (files, pipes,
//! `-c` strings, in command-line order) on a thread of their own, and printing the reports:
//! outcomes on stdout, diagnostics and the closing summary on stderr, in input order.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use crate::input::{Input, Piece, StatementReader};
use crate::interrupt;
use crate::output::Printer;
use crate::session::{Feed, Item, Report, Reporter, Rest, RunOptions, RunSummary, Session};
use crate::sql::diagnostic::Diagnostic;
use crate::sql::render::render_all;

/// How long a window waits for more input before running what it has.
const PAUSE: Duration = Duration::from_millis(20);

/// How often a wait for input looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// Runs every input through the session; returns how it went.
pub fn run<W: Write, E: Write>(
    session: &mut Session,
    inputs: &[Input],
    opts: RunOptions,
    printer: &mut Printer<W>,
    err: &mut E,
    color: bool,
) -> RunSummary {
    let mut feed = ReaderFeed::spawn(inputs.to_vec(), opts.window);
    let mut console = Console {
        printer,
        err,
        color,
    };
    let summary = session.run(&mut feed, opts, &mut console);
    if !summary.output_closed {
        let _ = console.printer.flush();
        let _ = write_summary(console.err, &summary, &opts);
    }
    summary
}

/// Statements read and parsed on a thread of their own, a bounded number ahead, so parsing
/// overlaps execution and memory stays bounded; `-c` strings alone, which are in memory
/// already, are read in place (no thread to start for `connsql -c 'SHOW CONNECTIONS'`). The
/// thread is not joined: if the run stops while it waits on a pipe, the process ends it.
pub struct ReaderFeed {
    source: Source,
    seq: usize,
}

enum Source {
    /// Boxed: a bounded channel's slots are all set up front, and a statement is large.
    Thread(Receiver<Box<Item>>),
    Inline(Inline),
}

/// `-c` strings, read one statement at a time on the caller's thread.
struct Inline {
    inputs: std::collections::VecDeque<Input>,
    current: Option<StatementReader<Box<dyn BufRead + Send>>>,
}

impl Inline {
    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(piece) = self.current.as_mut().and_then(Iterator::next) {
                return Some(Item::Statement(piece));
            }
            let input = self.inputs.pop_front()?;
            match input.open() {
                Ok(reader) => self.current = Some(StatementReader::new(reader, &input.name())),
                Err(e) => {
                    self.inputs.clear();
                    return Some(Item::Unreadable {
                        input: input.describe(),
                        error: read_error(&e),
                    });
                }
            }
        }
    }
}

impl ReaderFeed {
    pub fn spawn(inputs: Vec<Input>, window: usize) -> ReaderFeed {
        if inputs.iter().all(|i| matches!(i, Input::Command(..))) {
            return ReaderFeed {
                source: Source::Inline(Inline {
                    inputs: inputs.into(),
                    current: None,
                }),
                seq: 0,
            };
        }
        let (tx, rx) = mpsc::sync_channel(window.max(1) * 2);
        std::thread::spawn(move || {
            for input in &inputs {
                let reader = match input.open() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Box::new(Item::Unreadable {
                            input: input.describe(),
                            error: read_error(&e),
                        }));
                        return;
                    }
                };
                for piece in StatementReader::new(reader, &input.name()) {
                    if tx.send(Box::new(Item::Statement(piece))).is_err() {
                        return;
                    }
                }
            }
        });
        ReaderFeed {
            source: Source::Thread(rx),
            seq: 0,
        }
    }

    fn number(&mut self, item: Item) -> Item {
        match item {
            Item::Statement(mut p) => {
                self.seq += 1;
                p.seq = self.seq;
                Item::Statement(p)
            }
            other => other,
        }
    }
}

fn read_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::IsADirectory => "it is a directory".into(),
        io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

impl Feed for ReaderFeed {
    /// Waits for the first item (giving up when a signal is pending), then takes what arrives
    /// without a pause, so a slow pipe still gets its statements run as they come.
    fn window(&mut self, max: usize) -> Vec<Item> {
        let mut window = Vec::new();
        let rx = match &mut self.source {
            Source::Thread(rx) => rx,
            Source::Inline(inline) => {
                let mut items = Vec::new();
                while items.len() < max.max(1) {
                    match inline.next() {
                        Some(item) => {
                            let unreadable = matches!(item, Item::Unreadable { .. });
                            items.push(item);
                            if unreadable {
                                break;
                            }
                        }
                        None => break,
                    }
                }
                return items.into_iter().map(|i| self.number(i)).collect();
            }
        };
        let first = loop {
            match rx.recv_timeout(POLL) {
                Ok(item) => break *item,
                Err(RecvTimeoutError::Disconnected) => return window,
                Err(RecvTimeoutError::Timeout) if interrupt::pending().is_some() => return window,
                Err(RecvTimeoutError::Timeout) => {}
            }
        };
        let mut items = vec![first];
        let stop = matches!(items[0], Item::Unreadable { .. });
        while !stop && items.len() < max.max(1) {
            let next = match rx.try_recv() {
                Ok(item) => *item,
                Err(TryRecvError::Empty) => match rx.recv_timeout(PAUSE) {
                    Ok(item) => *item,
                    Err(_) => break,
                },
                Err(TryRecvError::Disconnected) => break,
            };
            let unreadable = matches!(next, Item::Unreadable { .. });
            items.push(next);
            if unreadable {
                break;
            }
        }
        for item in items {
            let numbered = self.number(item);
            window.push(numbered);
        }
        window
    }

    fn rest(&mut self) -> Rest {
        let item = match &mut self.source {
            Source::Inline(inline) => match inline.next() {
                Some(item) => item,
                None => return Rest::Nothing,
            },
            Source::Thread(rx) => match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(item) => *item,
                Err(RecvTimeoutError::Disconnected) => return Rest::Nothing,
                Err(RecvTimeoutError::Timeout) => return Rest::Unknown,
            },
        };
        Rest::Next(self.number(item))
    }
}

/// Reports to a terminal or pipes: outcomes through the printer, diagnostics rendered on the
/// error stream. Standard output is flushed before anything goes to standard error, so the two
/// read in input order when they share a screen.
pub struct Console<'a, W: Write, E: Write> {
    pub printer: &'a mut Printer<W>,
    pub err: &'a mut E,
    pub color: bool,
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
            render_all(diags, &piece.source(), self.color)
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "statement" } else { "statements" }
}

/// The closing line on stderr when a run did not simply succeed: what was applied, where it
/// stopped, and how to go on from there.
pub fn write_summary<E: Write>(err: &mut E, s: &RunSummary, opts: &RunOptions) -> io::Result<()> {
    let applied = s.applied;
    if let Some(signal) = s.interrupted {
        let verb = if opts.dry_run { "checked" } else { "applied" };
        match &s.stopped_at {
            Some(stop) => writeln!(
                err,
                "connsql: interrupted by {}: {applied} {} {verb}{}; statement {} ({}) and the rest not run",
                signal.name(),
                plural(applied),
                if s.rolled_back {
                    " and rolled back"
                } else {
                    ""
                },
                stop.seq,
                stop.location
            )?,
            None => writeln!(
                err,
                "connsql: interrupted by {}: {applied} {} {verb}{}",
                signal.name(),
                plural(applied),
                if s.rolled_back {
                    " and rolled back"
                } else {
                    ""
                },
            )?,
        }
        return resume_hint(err, s, opts);
    }
    if s.success() {
        return Ok(());
    }
    match &s.stopped_at {
        Some(stop) if opts.dry_run => writeln!(
            err,
            "connsql: dry run stopped at statement {} ({}); nothing was written",
            stop.seq, stop.location
        )?,
        Some(stop) if s.rolled_back => writeln!(
            err,
            "connsql: statement {} at {} failed; nothing was applied ({} {} before it rolled back)",
            stop.seq,
            stop.location,
            stop.seq.saturating_sub(1),
            plural(stop.seq.saturating_sub(1))
        )?,
        Some(stop) => writeln!(
            err,
            "connsql: stopped at statement {} ({}): {applied} {} before it applied, the rest not run",
            stop.seq,
            stop.location,
            plural(applied)
        )?,
        None if s.rolled_back && opts.single_transaction => writeln!(
            err,
            "connsql: the transaction was not committed; nothing was applied"
        )?,
        None => writeln!(
            err,
            "connsql: {} of {} {} failed",
            s.failed,
            s.statements,
            plural(s.statements)
        )?,
    }
    resume_hint(err, s, opts)
}

/// How to go on after a stop, when the stop is in a file and the run was not all-or-nothing.
fn resume_hint<E: Write>(err: &mut E, s: &RunSummary, opts: &RunOptions) -> io::Result<()> {
    let Some(stop) = &s.stopped_at else {
        return Ok(());
    };
    let in_file = stop.line > 0 && !stop.input.starts_with('<') && stop.input != "-";
    if in_file && !opts.dry_run && !s.rolled_back {
        writeln!(
            err,
            "connsql: to resume, run {} from line {} on (e.g. tail -n +{} {} | connsql …); \
             statements written CREATE … IF NOT EXISTS can simply run again",
            stop.input, stop.line, stop.line, stop.input
        )?;
    }
    Ok(())
}

/// The exit status of a run: 0 all statements succeeded, 1 one failed (or the output closed
/// before every statement ran), 2 the catalog is unusable, 130/143 stopped by SIGINT/SIGTERM.
pub fn exit_status(s: &RunSummary) -> u8 {
    if s.fatal.is_some() {
        return 2;
    }
    if let Some(signal) = s.interrupted {
        return signal.exit_status();
    }
    if s.success() { 0 } else { 1 }
}
