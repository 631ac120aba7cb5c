//! The closing lines of a run that did not simply succeed: what was applied, where it stopped,
//! and how to go on.

use std::io::{self, Write};

use crate::session::{RunOptions, RunSummary};

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
    if s.skipped > 0 {
        writeln!(
            err,
            "connsql: {} {} of other kinds skipped (--skip-unsupported)",
            s.skipped,
            plural(s.skipped)
        )?;
    }
    if s.success() {
        return Ok(());
    }
    // One `-c` statement that failed has said all there is to say (a file's gets its resume
    // hint: the statement may be one of several run together for a missing `;`).
    let in_file = s
        .stopped_at
        .as_ref()
        .is_some_and(|stop| !stop.input.starts_with('<'));
    if s.statements == 1 && !s.input_left && !s.rolled_back && !in_file {
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
