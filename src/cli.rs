//! Command-line arguments (clap), resolved into a [`Config`] the drivers run with.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::batch::{BatchOptions, Input};
use crate::output::Format;

#[derive(Debug, Parser)]
#[command(
    name = "connsql",
    version,
    about = "S3 connections in SQL: parse, check, validate against AWS STS, keep in a local catalog",
    after_help = "With no -f or -c, connsql starts a REPL when stdin is a terminal and runs stdin as a batch otherwise.\n\
                  Exit status: 0 all statements succeeded, 1 a statement failed, 2 usage error or unusable catalog."
)]
pub struct Args {
    /// Run the statements of FILE ('-' is stdin); repeatable, run in order
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Run the statements in SQL; repeatable, run in order with the files
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub commands: Vec<String>,
    /// The catalog file [default: catalog.db in the user's data directory]
    #[arg(long, env = "CONNSQL_CATALOG", value_name = "PATH")]
    pub catalog: Option<PathBuf>,
    /// How results are printed
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Offline checks only: no STS call, and nothing is marked validated
    #[arg(long)]
    pub no_validate: bool,
    /// Run the remaining statements after one fails (exit status is still 1)
    #[arg(long, conflicts_with = "single_transaction")]
    pub continue_on_error: bool,
    /// Apply all statements or none
    #[arg(long)]
    pub single_transaction: bool,
    /// Parse, check and validate, print what would change, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print result sets only, not the one-line reports of changes
    #[arg(short, long)]
    pub quiet: bool,
    /// STS calls in flight at once when validating a batch
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,
    /// Seconds each STS call may take before it is abandoned
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: f64,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 600.0 => Ok(v),
        _ => Err("a number of seconds between 0 and 600".into()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Repl,
    Batch,
}

/// Everything the drivers need, resolved from arguments and environment.
#[derive(Debug)]
pub struct Config {
    pub mode: Mode,
    pub inputs: Vec<Input>,
    pub catalog: PathBuf,
    pub format: Format,
    pub validate: bool,
    pub quiet: bool,
    pub batch: BatchOptions,
    pub parallel: usize,
    pub timeout: Duration,
    /// Colour in diagnostics on stderr.
    pub color: bool,
    pub stdout_terminal: bool,
}

/// The error of resolving arguments (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn parse() -> Result<Config, UsageError> {
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches).map_err(|e| UsageError(e.to_string()))?;
    resolve(args, &matches)
}

fn resolve(args: Args, matches: &ArgMatches) -> Result<Config, UsageError> {
    // -f and -c run in the order they were given.
    let mut ordered: Vec<(usize, Input)> = Vec::new();
    if let Some(indices) = matches.indices_of("files") {
        for (i, path) in indices.zip(&args.files) {
            let input = if path.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::File(path.clone())
            };
            ordered.push((i, input));
        }
    }
    if let Some(indices) = matches.indices_of("commands") {
        for (n, (i, sql)) in indices.zip(&args.commands).enumerate() {
            ordered.push((i, Input::Command(sql.clone(), n + 1)));
        }
    }
    ordered.sort_by_key(|(i, _)| *i);
    let mut inputs: Vec<Input> = ordered.into_iter().map(|(_, input)| input).collect();
    for input in &inputs {
        if let Input::File(path) = input
            && !path.is_file()
        {
            return Err(UsageError(format!(
                "cannot read {}: no such file",
                path.display()
            )));
        }
    }
    let stdin_terminal = std::io::stdin().is_terminal();
    let mode = if inputs.is_empty() && stdin_terminal {
        Mode::Repl
    } else {
        Mode::Batch
    };
    if inputs.is_empty() && !stdin_terminal {
        inputs.push(Input::Stdin);
    }
    let catalog = match args.catalog {
        Some(path) => path,
        None => default_catalog()?,
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color && std::io::stderr().is_terminal();
    Ok(Config {
        mode,
        inputs,
        catalog,
        format: args.format,
        validate: !args.no_validate,
        quiet: args.quiet,
        batch: BatchOptions {
            continue_on_error: args.continue_on_error,
            single_transaction: args.single_transaction,
            dry_run: args.dry_run,
            // Validation is proven a window ahead, 16 calls at a time; without it, larger
            // windows mean fewer commits.
            window: if args.no_validate { 4096 } else { 512 },
            color,
        },
        parallel: usize::from(args.parallel),
        timeout: Duration::from_secs_f64(args.timeout),
        color,
        stdout_terminal: std::io::stdout().is_terminal(),
    })
}

/// The user's data directory for connsql (`~/.local/share/connsql` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "connsql").map(|d| d.data_dir().to_path_buf())
}

fn default_catalog() -> Result<PathBuf, UsageError> {
    data_dir().map(|d| d.join("catalog.db")).ok_or_else(|| {
        UsageError("cannot find a data directory (is HOME set?); give --catalog PATH".into())
    })
}
