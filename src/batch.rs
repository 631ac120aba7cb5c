//! Batch mode: the inputs (files, pipes, `-c` strings, in command-line order) read by the
//! input's feed, run by the session, reported by the console; the exit status of the run.

use std::io::Write;

use crate::input::{Input, ReaderFeed};
use crate::output::{Console, ErrLooks, Printer, write_summary};
use crate::session::{RunOptions, RunSummary, Session};

/// Runs every input through the session; returns how it went.
pub fn run<W: Write, E: Write>(
    session: &mut Session,
    inputs: &[Input],
    opts: RunOptions,
    printer: &mut Printer<W>,
    err: &mut E,
    looks: ErrLooks,
) -> RunSummary {
    let mut feed = ReaderFeed::spawn(inputs.to_vec(), opts.window);
    let mut console = Console {
        printer,
        err,
        looks,
    };
    let summary = session.run(&mut feed, opts, &mut console);
    if !summary.output_closed {
        let _ = console.printer.flush();
        let _ = write_summary(console.err, &summary, &opts);
    }
    summary
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
