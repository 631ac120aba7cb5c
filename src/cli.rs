//! Command-line arguments (clap), resolved into a [`Config`] the drivers run with: inputs in
//! command-line order, the catalog path, output settings and the run options.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::input::Input;
use crate::output::{ErrLooks, Format};
use crate::session::{OnError, RunOptions};

const AFTER_HELP: &str = "\
With no -f or -c, connsql starts a REPL when stdin is a terminal and runs stdin as a batch otherwise.

AWS settings (validation calls STS, then S3, with the standard AWS configuration):
  AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY   the identity connsql calls AWS as
  AWS_REGION                                             the STS region
  AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL)             another STS endpoint, e.g. a local emulator
  AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL)              another S3 endpoint, for the access checks
  AWS_EC2_METADATA_DISABLED=true                         skip the instance-metadata service off EC2

Files and environment:
  CONNSQL_CATALOG     the catalog, like --catalog (a file, or postgresql://user@host:port/db)
  PGPASSWORD, ~/.pgpass, PGSSLMODE   a PostgreSQL catalog's password and TLS, as libpq reads them
  NO_COLOR            no colour in diagnostics and the REPL
  REPL history        ~/.local/share/connsql/history.txt (0600, secrets masked)

Exit status: 0 all statements succeeded; 1 a statement failed (or the output closed before all ran);
2 usage error or unusable catalog; 130/143 stopped by SIGINT/SIGTERM (what was applied is summarised).";

#[derive(Debug, Parser)]
#[command(
    name = "connsql",
    version,
    about = "S3 connections in SQL: parse, check, validate against AWS STS, keep in a local catalog",
    after_help = AFTER_HELP
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// Run the statements of FILE ('-' is stdin; FIFOs and devices work too); repeatable, run in order
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Run the statements in SQL; repeatable, run in order with the files
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub commands: Vec<String>,
    /// The catalog file (set at run time: the default catalog path and CONNSQL_CATALOG)
    #[arg(long, value_name = "PATH|URL")]
    pub catalog: Option<PathBuf>,
    /// How results are printed
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Tables as one record per block, every column shown (like psql's \x)
    #[arg(short = 'x', long)]
    pub expanded: bool,
    /// Offline checks only: no STS call, and nothing is marked validated
    #[arg(long)]
    pub no_validate: bool,
    /// Run the remaining statements after one fails (exit status is still 1)
    #[arg(long, conflicts_with = "single_transaction")]
    pub continue_on_error: bool,
    /// Apply all statements or none (not with --continue-on-error; in the REPL: each input you submit)
    #[arg(long)]
    pub single_transaction: bool,
    /// Skip statements connsql does not run (CREATE TABLE, other connection types, …),
    /// each reported on stderr, and run the rest
    #[arg(long)]
    pub skip_unsupported: bool,
    /// Parse, check and validate, print what would change, write nothing (not even a new catalog)
    #[arg(long)]
    pub dry_run: bool,
    /// Print result sets only, not the one-line reports of changes
    #[arg(short, long)]
    pub quiet: bool,
    /// STS calls in flight at once when validating a batch
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,
    /// Seconds one STS call may take in all, retries included; also bounds connecting to a
    /// catalog server
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS", value_parser = parse_timeout, global = true)]
    pub timeout: f64,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Sub {
    /// Print temporary AWS credentials for a connection as credential_process JSON
    /// (SHOW AWS PROFILE FOR CONNECTION name prints the ~/.aws/config stanza that runs this)
    Credentials(CredentialsArgs),
    /// Work on whole catalogs
    #[command(subcommand)]
    Catalog(CatalogCommand),
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum CatalogCommand {
    /// Copy a whole catalog (connections with secrets, jobs, history, validations, settings)
    /// between a SQLite file and a PostgreSQL database, either way
    Copy {
        /// The catalog to copy: a file, or postgresql://…
        from: PathBuf,
        /// Where to: a file (created), or postgresql://… (its connsql schema created)
        to: PathBuf,
        /// Empty a target that already holds connections, jobs or history
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct CredentialsArgs {
    /// The connection
    pub connection: String,
    /// The catalog file or postgresql:// URL (default: CONNSQL_CATALOG, else the default file)
    #[arg(long, value_name = "PATH|URL")]
    pub catalog: Option<PathBuf>,
    /// Narrow the credentials to this job's location (read for COPY FROM, write for INSERT INTO)
    #[arg(long, value_name = "JOB")]
    pub job: Option<String>,
    /// How long the credentials last, in seconds (the role's maximum session duration caps it)
    #[arg(long, default_value_t = 3600, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(900..=43200))]
    pub duration: u32,
    /// Ask STS every time instead of reusing cached credentials
    #[arg(long)]
    pub no_cache: bool,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 600.0 => Ok(v),
        _ => Err("a number of seconds greater than 0 and at most 600".into()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Repl,
    Batch,
    /// `connsql credentials …`
    Credentials(crate::credentials::Options),
    /// `connsql catalog copy FROM TO [--replace]`
    CopyCatalog {
        from: PathBuf,
        to: PathBuf,
        replace: bool,
    },
}

/// Everything the drivers need, resolved from arguments and environment.
#[derive(Debug)]
pub struct Config {
    pub mode: Mode,
    pub inputs: Vec<Input>,
    pub catalog: PathBuf,
    /// The default catalog path, when `catalog` is another (for messages about a missing one).
    pub default_catalog: Option<PathBuf>,
    pub format: Format,
    pub quiet: bool,
    pub expanded: bool,
    pub run: RunOptions,
    pub parallel: usize,
    pub timeout: Duration,
    /// How diagnostics look on stderr: in colour, cut to a terminal's width.
    pub err_looks: ErrLooks,
    pub stdout_terminal: bool,
}

/// The error of resolving arguments (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The clap command, with what is only known at run time filled in.
pub fn command() -> clap::Command {
    let default = default_catalog()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "catalog.db in the user's data directory".into());
    Args::command()
        .mut_arg("catalog", |a| {
            a.help(format!(
                "The catalog: a SQLite file, or postgresql://user@host:port/database for a team's \
                 [default: $CONNSQL_CATALOG, else {default}]"
            ))
        })
        .long_version(long_version().leak() as &'static str)
}

fn long_version() -> String {
    format!(
        "{} (SQLite {}, AWS SDK for Rust: aws-sdk-sts {})",
        env!("CARGO_PKG_VERSION"),
        crate::catalog::sqlite_version(),
        crate::aws::sdk_version()
    )
}

pub fn parse() -> Result<Config, UsageError> {
    let matches = command().get_matches();
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
        if let Input::File(path) = input {
            // Anything that exists is tried (FIFOs and devices such as /dev/stdin included).
            if path.is_dir() {
                return Err(UsageError(format!(
                    "cannot read {}: it is a directory",
                    path.display()
                )));
            }
            if !path.exists() {
                return Err(UsageError(format!(
                    "cannot read {}: no such file",
                    path.display()
                )));
            }
        }
    }
    let default = default_catalog().ok();
    // `--catalog` goes before `credentials` or after it; `catalog copy` names its own two.
    let sub_catalog = match &args.command {
        Some(Sub::Credentials(c)) => c.catalog.clone(),
        _ => None,
    };
    let catalog = match args.catalog.clone().or(sub_catalog).or_else(|| {
        std::env::var_os("CONNSQL_CATALOG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }) {
        Some(path) => catalog_target(path)?,
        None => default_catalog()?,
    };
    let stdin_terminal = std::io::stdin().is_terminal();
    let mode = match &args.command {
        Some(Sub::Credentials(c)) => {
            if !inputs.is_empty() {
                return Err(UsageError(
                    "credentials takes no -f or -c: it prints credentials, it runs no statements"
                        .into(),
                ));
            }
            Mode::Credentials(crate::credentials::Options {
                catalog: catalog.clone(),
                connection: c.connection.clone(),
                job: c.job.clone(),
                duration_seconds: c.duration,
                cache: !c.no_cache,
                timeout: Duration::from_secs_f64(args.timeout),
            })
        }
        Some(Sub::Catalog(CatalogCommand::Copy { from, to, replace })) => Mode::CopyCatalog {
            from: catalog_target(from.clone())?,
            to: catalog_target(to.clone())?,
            replace: *replace,
        },
        None if inputs.is_empty() && stdin_terminal => Mode::Repl,
        None => Mode::Batch,
    };
    if mode == Mode::Batch && inputs.is_empty() {
        inputs.push(Input::Stdin);
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let stderr_terminal = std::io::stderr().is_terminal();
    let color = !no_color && stderr_terminal;
    Ok(Config {
        mode,
        inputs,
        default_catalog: default.filter(|d| *d != catalog),
        catalog,
        format: args.format,
        quiet: args.quiet,
        expanded: args.expanded,
        run: RunOptions {
            on_error: if args.continue_on_error {
                OnError::Continue
            } else {
                OnError::Stop
            },
            single_transaction: args.single_transaction,
            dry_run: args.dry_run,
            validate: !args.no_validate,
            // Validation is proven a window ahead, 16 calls at a time; without it, larger
            // windows mean fewer commits, and more memory: a window's statements are kept
            // until its commit (BENCHMARKS.md, jobs).
            window: if args.no_validate { 2048 } else { 512 },
            skip_unsupported: args.skip_unsupported,
        },
        parallel: usize::from(args.parallel),
        timeout: Duration::from_secs_f64(args.timeout),
        err_looks: ErrLooks {
            color,
            terminal: stderr_terminal,
        },
        stdout_terminal: std::io::stdout().is_terminal(),
    })
}

/// A catalog as given: a PostgreSQL URL, or a file path with a leading `~/` made the home
/// directory, as a shell would have. A value with `://` of any other scheme is a usage error,
/// never a file of that name (`postgressql://…` would otherwise become a directory tree); only
/// its scheme is quoted, since the rest may hold a password.
pub fn catalog_target(raw: PathBuf) -> Result<PathBuf, UsageError> {
    let Some(text) = raw.to_str() else {
        return Ok(raw);
    };
    if let Some((scheme, _)) = text.split_once("://") {
        if crate::catalog::is_postgres(&raw) {
            return Ok(raw);
        }
        let shown = crate::sql::redact::escape_controls(scheme);
        let guess =
            crate::sql::options::closest(scheme, ["postgresql", "postgres"].into_iter(), 0.7);
        let hint = match guess {
            Some(g) => format!("did you mean {g}://?"),
            None => "a catalog is a SQLite file or a postgresql:// URL".to_string(),
        };
        return Err(UsageError(format!(
            "the catalog `{shown}://…` is not a catalog connsql can open: {hint}"
        )));
    }
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    if text == "~" || text.starts_with("~/") {
        return match home() {
            Some(h) => Ok(h.join(text.trim_start_matches('~').trim_start_matches('/'))),
            None => Err(UsageError(format!(
                "the catalog {text} starts with ~, and HOME is not set: give the path in full"
            ))),
        };
    }
    if text.starts_with('~') {
        return Err(UsageError(format!(
            "the catalog {text} names another user's home (~user): give the path in full"
        )));
    }
    Ok(raw)
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
