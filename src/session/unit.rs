//! The unit of work: statements in, one report per statement out, each after the commit that
//! makes it durable. Statements come in windows (as the input delivers them); a window's
//! validations are proven ahead, concurrently; its writes share one commit. A write that fails
//! half-way makes the window run again statement by statement with savepoints; a failed commit
//! stops the run and names what was lost; a dry run rolls everything back; one transaction
//! holds everything until the end; a signal stops the run at the next statement.

use std::io;
use std::rc::Rc;

use super::outcome::Executed;
use super::{CatalogSlot, Session, catalog_diag};
use crate::catalog::{CatalogError, Expected};
use crate::input::{Feed, Item, Piece, Rest};
use crate::interrupt::{self, Signal};
use crate::sql::Span;
use crate::sql::ast::StatementKind;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};

/// What the first failed statement does to the rest of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    Stop,
    Continue,
}

/// How statements run: the same options for batch, the REPL and `.read`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    pub on_error: OnError,
    /// All statements of the run, or none.
    pub single_transaction: bool,
    /// Parse, check and validate; report what would change; write nothing.
    pub dry_run: bool,
    /// Prove credentials against AWS (off: `--no-validate`).
    pub validate: bool,
    /// Statements read, validated ahead and committed together.
    pub window: usize,
    /// Statements of other kinds (`CREATE TABLE`, a Kafka connection) are reported as skipped
    /// and the run goes on, instead of failing it.
    pub skip_unsupported: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            on_error: OnError::Stop,
            single_transaction: false,
            dry_run: false,
            validate: true,
            window: 512,
            skip_unsupported: false,
        }
    }
}

/// What the run tells its driver, in input order.
pub enum Report<'a> {
    /// A statement's outcome, once durable (at once in a dry run), with its warnings.
    Done {
        piece: &'a Piece,
        executed: &'a Executed,
        dry_run: bool,
    },
    /// A statement that failed; nothing of it was applied.
    Failed {
        piece: &'a Piece,
        diagnostics: &'a [Diagnostic],
    },
    /// A failure of the run rather than of one statement's text (a commit that failed).
    Problem(&'a Diagnostic),
    /// An input that could not be read.
    Unreadable { input: &'a str, error: &'a str },
    /// A statement of another kind, skipped (`--skip-unsupported`): what it was.
    Skipped {
        piece: &'a Piece,
        diagnostic: &'a Diagnostic,
    },
}

pub trait Reporter {
    fn report(&mut self, report: Report<'_>) -> io::Result<()>;

    /// A group of reports is complete (a commit's worth): a slow input's reports should show
    /// now rather than wait for more.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where a run stopped: the first statement not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StopPoint {
    pub seq: usize,
    /// `file:line:col`
    pub location: String,
    pub input: String,
    pub line: usize,
}

/// How a run went.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Statements taken from the input and run (or tried).
    pub statements: usize,
    /// Statements reported done (in a dry run: that would be).
    pub applied: usize,
    pub failed: usize,
    /// Statements of other kinds skipped (`--skip-unsupported`).
    pub skipped: usize,
    /// The first statement not applied, when the run stopped early.
    pub stopped_at: Option<StopPoint>,
    /// Whether the run's changes were rolled back (one transaction that failed, or a dry run).
    pub rolled_back: bool,
    pub interrupted: Option<Signal>,
    /// The catalog became unusable (exit status 2).
    pub fatal: Option<CatalogError>,
    /// The reports' output closed (a pipe whose reader left); the run stopped there.
    pub output_closed: bool,
    /// Input was left unread when the run stopped.
    pub input_left: bool,
}

impl RunSummary {
    pub fn success(&self) -> bool {
        self.failed == 0 && self.interrupted.is_none() && self.fatal.is_none() && !self.input_left
    }
}

/// Whether the run goes on.
enum Flow {
    Go,
    Stop,
}

/// What a commit did.
enum Commit {
    Done,
    Failed(Lost),
}

/// The statements a failed commit held, none of them applied.
struct Lost {
    error: CatalogError,
    first: Option<Rc<Piece>>,
    count: usize,
}

struct Run<'r> {
    opts: super::RunOptions,
    reporter: &'r mut dyn Reporter,
    summary: RunSummary,
    /// Statements run in the open transaction, waiting for their commit.
    pending: Vec<(Rc<Piece>, Executed)>,
}

impl Session {
    /// Runs every statement `feed` delivers with `opts`, reporting each to `reporter`.
    /// Validation results are remembered for the run: identical credentials are proven once.
    pub fn run(
        &mut self,
        feed: &mut dyn Feed,
        opts: RunOptions,
        reporter: &mut dyn Reporter,
    ) -> RunSummary {
        self.opts = opts;
        self.fatal = None;
        let fast = !opts.single_transaction && !opts.dry_run;
        if let CatalogSlot::Open(c) = &mut self.catalog {
            c.set_statement_savepoints(!fast);
        }
        let mut run = Run {
            opts,
            reporter,
            summary: RunSummary::default(),
            pending: Vec::new(),
        };
        let result = self.all(feed, &mut run);
        if result.is_err() {
            run.summary.output_closed = true;
            let _ = self.roll_back();
        }
        if run.summary.stopped_at.is_some()
            || run.summary.output_closed
            || run.summary.fatal.is_some()
            || run.summary.interrupted.is_some()
        {
            // The next statement is the first not applied: say where it is.
            match feed.rest() {
                Rest::Nothing => {}
                Rest::Unknown => run.summary.input_left = true,
                Rest::Next(next) => {
                    run.summary.input_left = true;
                    if run.summary.stopped_at.is_none()
                        && let Item::Statement(piece) = &next
                    {
                        stop_at(&mut run, piece);
                    }
                }
            }
        }
        self.remembered.clear();
        if let CatalogSlot::Open(c) = &mut self.catalog {
            c.set_statement_savepoints(true);
        }
        run.summary
    }

    fn all(&mut self, feed: &mut dyn Feed, run: &mut Run<'_>) -> io::Result<()> {
        loop {
            if let Some(signal) = interrupt::pending() {
                run.summary.interrupted = Some(signal);
                break;
            }
            let items = feed.window(run.opts.window);
            if items.is_empty() {
                if let Some(signal) = interrupt::pending() {
                    run.summary.interrupted = Some(signal);
                }
                break;
            }
            if let Flow::Stop = self.window(items, run)? {
                break;
            }
        }
        self.finish(run)
    }

    /// Proves the window's validations ahead, then runs its statements in order and commits.
    fn window(&mut self, items: Vec<Item>, run: &mut Run<'_>) -> io::Result<Flow> {
        let mut pieces: Vec<Rc<Piece>> = Vec::with_capacity(items.len());
        let mut unreadable = None;
        for item in items {
            match item {
                Item::Statement(p) => pieces.push(Rc::new(p)),
                Item::Unreadable { input, error } => {
                    unreadable = Some((input, error));
                    break;
                }
            }
        }
        let requests = pieces
            .iter()
            .filter_map(|p| {
                p.result
                    .as_ref()
                    .ok()
                    .and_then(|s| self.predicted_validation(s))
            })
            .collect();
        self.prefetch(requests);
        self.expect_names(&pieces);
        // Statements from `group` on have run in the open transaction. When a write fails
        // half-way there (the transaction is poisoned), or the commit that should make them
        // durable fails (a full disk), they run again from `group` with savepoints, each
        // committed on its own, up to `replay_until`: as much as fits is applied, in order,
        // and the run stops at the first statement that does not.
        let fast = !run.opts.single_transaction && !run.opts.dry_run;
        let mut group = 0;
        let mut replay_until: Option<usize> = None;
        let mut replayed = false;
        let mut i = 0;
        loop {
            while i < pieces.len() {
                let piece = &pieces[i];
                if let Some(signal) = interrupt::pending() {
                    run.summary.interrupted = Some(signal);
                    if let Commit::Failed(lost) = self.commit_group(run)? {
                        return self.lost(run, lost);
                    }
                    stop_at(run, piece);
                    return Ok(Flow::Stop);
                }
                let result = match &piece.result {
                    Ok(stmt) => self.execute(stmt),
                    Err(diag)
                        if run.opts.skip_unsupported
                            && matches!(
                                diag.kind,
                                DiagnosticKind::UnsupportedStatement
                                    | DiagnosticKind::UnsupportedConnectionType
                            ) =>
                    {
                        run.reporter.report(Report::Skipped {
                            piece,
                            diagnostic: diag,
                        })?;
                        run.summary.skipped += 1;
                        i += 1;
                        continue;
                    }
                    Err(diag) => Err(vec![diag.clone()]),
                };
                // A statement that fails without writing leaves the transaction sound, unless
                // rows kept back by earlier statements are refused when they are sent: then
                // which statement wrote them is found by running the group again.
                if result.is_err() && fast && !replayed && !self.catalog_sound() {
                    let _ = self.roll_back();
                    self.replay(run, i - group);
                    replay_until = Some(i);
                    replayed = true;
                    i = group;
                    continue;
                }
                let replaying = replay_until.is_some_and(|until| i < until);
                if replay_until == Some(i) {
                    self.set_savepoints(false);
                    replay_until = None;
                }
                run.summary.statements += 1;
                i += 1;
                match result {
                    Ok(executed) => {
                        if run.opts.dry_run {
                            run.reporter.report(Report::Done {
                                piece,
                                executed: &executed,
                                dry_run: true,
                            })?;
                            run.summary.applied += 1;
                        } else {
                            run.pending.push((piece.clone(), executed));
                        }
                        if replaying {
                            // Each replayed statement is made durable on its own, so that the
                            // one that fails cannot take the others with it.
                            if let Commit::Failed(lost) = self.commit_group(run)? {
                                return self.lost(run, lost);
                            }
                            group = i;
                        }
                    }
                    Err(diags) => {
                        let cancelled = diags.iter().any(|d| d.kind == DiagnosticKind::Cancelled);
                        if cancelled && let Some(signal) = interrupt::pending() {
                            run.summary.statements -= 1;
                            run.summary.interrupted = Some(signal);
                            if let Commit::Failed(lost) = self.commit_group(run)? {
                                return self.lost(run, lost);
                            }
                            stop_at(run, piece);
                            return Ok(Flow::Stop);
                        }
                        if let Flow::Stop = self.failed(run, piece, &diags)? {
                            return Ok(Flow::Stop);
                        }
                        group = i;
                    }
                }
            }
            match self.commit_group(run)? {
                Commit::Done => break,
                Commit::Failed(_) if fast && !replayed && pieces.len() - group > 1 => {
                    // The commit took nothing with it (it rolled back): try the group again,
                    // one statement per commit.
                    self.replay(run, pieces.len() - group);
                    replay_until = Some(pieces.len());
                    replayed = true;
                    i = group;
                }
                Commit::Failed(lost) => return self.lost(run, lost),
            }
        }
        if fast {
            self.set_savepoints(false);
        }
        if let Some((input, error)) = unreadable {
            run.summary.failed += 1;
            run.summary.stopped_at = Some(StopPoint {
                seq: run.summary.statements + 1,
                location: input.clone(),
                input: input.clone(),
                line: 0,
            });
            run.reporter.report(Report::Unreadable {
                input: &input,
                error: &error,
            })?;
            return Ok(Flow::Stop);
        }
        Ok(Flow::Go)
    }

    /// Gets ready to run `n` statements of the group again, with savepoints: their reports are
    /// void and they are counted once more.
    fn replay(&mut self, run: &mut Run<'_>, n: usize) {
        run.pending.clear();
        run.summary.statements = run.summary.statements.saturating_sub(n);
        self.set_savepoints(true);
    }

    /// A commit failed: say which statements it held, and stop.
    fn lost(&mut self, run: &mut Run<'_>, lost: Lost) -> io::Result<Flow> {
        let diag = match &lost.first {
            Some(first) => catalog_diag(lost.error, Span::default()).with_label(format!(
                "{} not applied: the commit that held {} failed",
                statements_range(first, lost.count),
                if lost.count == 1 { "it" } else { "them" }
            )),
            None => catalog_diag(lost.error, Span::default()),
        };
        run.summary.failed += lost.count.max(1);
        run.reporter.report(Report::Problem(&diag))?;
        if run.summary.stopped_at.is_none()
            && let Some(first) = &lost.first
        {
            stop_at(run, first);
        }
        Ok(Flow::Stop)
    }

    fn failed(
        &mut self,
        run: &mut Run<'_>,
        piece: &Rc<Piece>,
        diags: &[Diagnostic],
    ) -> io::Result<Flow> {
        run.summary.failed += 1;
        if self.take_lost_transaction() && !run.pending.is_empty() {
            // The engine dropped the open transaction: the reports waiting for its commit are
            // void, and the run cannot go on as if they were applied.
            let first = run.pending[0].0.clone();
            let lost = run.pending.len();
            run.pending.clear();
            run.reporter.report(Report::Failed {
                piece,
                diagnostics: diags,
            })?;
            let diag = Diagnostic::error(
                DiagnosticKind::Catalog,
                Span::default(),
                format!(
                    "the catalog rolled back the open transaction after this error: {} not applied",
                    statements_range(&first, lost)
                ),
            );
            run.reporter.report(Report::Problem(&diag))?;
            stop_at(run, &first);
            return Ok(Flow::Stop);
        }
        // Earlier statements' reports come first, as they ran first.
        let committed = self.commit_group(run)?;
        run.reporter.report(Report::Failed {
            piece,
            diagnostics: diags,
        })?;
        if let Commit::Failed(lost) = committed {
            return self.lost(run, lost);
        }
        let stop = run.opts.on_error == OnError::Stop
            || run.opts.single_transaction
            || self.fatal.is_some();
        if !stop {
            return Ok(Flow::Go);
        }
        if run.summary.stopped_at.is_none() {
            stop_at(run, piece);
        }
        if self.fatal.is_some() {
            run.summary.fatal = self.fatal.take();
        }
        Ok(Flow::Stop)
    }

    /// Commits the group's writes (unless one transaction or a dry run holds them) and reports
    /// the statements they made durable. A failed commit applies none of them: the caller
    /// replays them or stops, so the catalog never skips a hole.
    fn commit_group(&mut self, run: &mut Run<'_>) -> io::Result<Commit> {
        if run.opts.single_transaction || run.opts.dry_run {
            return Ok(Commit::Done);
        }
        self.commit_pending(run)
    }

    fn commit_pending(&mut self, run: &mut Run<'_>) -> io::Result<Commit> {
        if let Err(error) = self.commit() {
            let lost = Lost {
                error,
                first: run.pending.first().map(|(p, _)| p.clone()),
                count: run.pending.len(),
            };
            run.pending.clear();
            return Ok(Commit::Failed(lost));
        }
        let pending = std::mem::take(&mut run.pending);
        for (piece, executed) in &pending {
            run.summary.applied += 1;
            run.reporter.report(Report::Done {
                piece,
                executed,
                dry_run: false,
            })?;
        }
        run.reporter.flush()?;
        Ok(Commit::Done)
    }

    /// Ends the run: commit, or roll back a failed or interrupted single transaction or any
    /// dry run.
    fn finish(&mut self, run: &mut Run<'_>) -> io::Result<()> {
        let failed = run.summary.failed > 0
            || run.summary.interrupted.is_some()
            || run.summary.fatal.is_some();
        let roll_back = run.opts.dry_run || (run.opts.single_transaction && failed);
        if roll_back {
            let _ = self.roll_back();
            run.summary.rolled_back = true;
            run.pending.clear();
            return Ok(());
        }
        if run.summary.stopped_at.is_some() && !run.opts.single_transaction {
            // Stopped by a failure: what ran before it is already committed.
            return Ok(());
        }
        if let Commit::Failed(lost) = self.commit_pending(run)? {
            if run.opts.single_transaction {
                run.summary.rolled_back = true;
            }
            self.lost(run, lost)?;
        }
        Ok(())
    }

    /// Whether the open transaction holds only whole statements, everything it kept back
    /// accepted by the storage.
    fn catalog_sound(&mut self) -> bool {
        match &mut self.catalog {
            CatalogSlot::Open(c) => !c.is_poisoned() && c.flush().is_ok(),
            CatalogSlot::Missing { .. } => true,
        }
    }

    fn take_lost_transaction(&mut self) -> bool {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.take_lost_transaction(),
            CatalogSlot::Missing { .. } => false,
        }
    }

    /// Tells the catalog which names the window's CREATEs will look up.
    fn expect_names(&mut self, pieces: &[Rc<Piece>]) {
        let CatalogSlot::Open(catalog) = &mut self.catalog else {
            return;
        };
        let mut expected = Expected::default();
        for piece in pieces {
            match piece.result.as_ref().map(|s| &s.kind) {
                Ok(StatementKind::CreateConnection { name, .. }) => {
                    expected.connections.push(name.value.clone())
                }
                Ok(StatementKind::CreateJob(job)) => expected.jobs.push(job.name.value.clone()),
                _ => {}
            }
        }
        catalog.expect(expected);
    }

    fn set_savepoints(&mut self, on: bool) {
        if let CatalogSlot::Open(c) = &mut self.catalog {
            c.set_statement_savepoints(on);
        }
    }

    fn commit(&mut self) -> Result<(), CatalogError> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.commit(),
            CatalogSlot::Missing { .. } => Ok(()),
        }
    }

    fn roll_back(&mut self) -> Result<(), CatalogError> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.rollback(),
            CatalogSlot::Missing { .. } => Ok(()),
        }
    }
}

fn stop_at(run: &mut Run<'_>, piece: &Piece) {
    run.summary.stopped_at = Some(StopPoint {
        seq: piece.seq,
        location: piece.location(),
        input: piece.source_name.to_string(),
        line: piece.line(),
    });
}

/// "statement 7 (a.sql:3:1)" or "statements 7–4102 (a.sql:3:1 to a.sql:4098:1)".
fn statements_range(first: &Piece, count: usize) -> String {
    if count == 1 {
        format!("statement {} ({})", first.seq, first.location())
    } else {
        format!(
            "statements {}–{} (from {})",
            first.seq,
            first.seq + count - 1,
            first.location()
        )
    }
}
