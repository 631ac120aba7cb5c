//! The `connsql` binary: parse arguments, open the catalog, run the REPL or a batch, and map
//! the result to an exit status (0 success, 1 a statement failed, 2 usage or catalog error).

use std::io::{self, Write};
use std::process::ExitCode;

use connsql::aws::{StsOptions, StsValidator};
use connsql::batch;
use connsql::catalog::Catalog;
use connsql::cli::{self, Mode};
use connsql::output::Printer;
use connsql::repl::Repl;
use connsql::session::Session;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "connsql: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let config = match cli::parse() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("connsql: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let catalog = match Catalog::open(&config.catalog) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("connsql: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let validator = StsValidator::new(StsOptions {
        timeout: config.timeout,
        parallel: config.parallel,
        progress: true,
    });
    let mut session = Session::new(catalog, Box::new(validator), config.validate);
    match config.mode {
        Mode::Repl => {
            let repl = Repl {
                format: config.format,
                color: config.color,
                quiet: config.quiet,
                history: cli::data_dir().map(|d| d.join("history.txt")),
                batch: config.batch,
            };
            repl.run(&mut session)?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Batch => {
            let mut printer = Printer {
                out: io::BufWriter::new(io::stdout().lock()),
                format: config.format,
                quiet: config.quiet,
                terminal: config.stdout_terminal,
            };
            let summary = batch::run(
                &mut session,
                &config.inputs,
                config.batch,
                &mut printer,
                &mut io::stderr().lock(),
            )?;
            Ok(if summary.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// A closed pipe on stdout (`connsql … | head`) ends the run quietly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
