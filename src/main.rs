//! The `connsql` binary: parse arguments, open the catalog, run the REPL or a batch, and map
//! the result to an exit status (0 success, 1 a statement failed, 2 usage or catalog error,
//! 130/143 stopped by a signal).

use std::io::{self, Write};
use std::process::ExitCode;

use connsql::aws::{StsOptions, StsValidator};
use connsql::catalog::{Catalog, CatalogError};
use connsql::cli::{self, Mode};
use connsql::credentials::profile::BaseIdentity;
use connsql::output::{Printer, TableStyle};
use connsql::repl::Repl;
use connsql::session::{CatalogSlot, Session};
use connsql::sql::DiagnosticKind;
use connsql::{batch, interrupt};

// The reader thread allocates statements that the session thread frees; glibc's allocator
// serialises those frees on the reader's arena lock. mimalloc frees across threads without it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A catalog that cannot be used at all: the error, what to do about it, and exit status 2.
fn catalog_unusable(e: &CatalogError) -> ExitCode {
    eprintln!("connsql: {e}");
    if let Some(help) = e.help() {
        eprintln!("  help: {help}");
    }
    ExitCode::from(2)
}

/// `connsql catalog copy`: counts on stdout; a catalog that cannot be read or written is exit 2.
fn copy_catalog(from: &std::path::Path, to: &std::path::Path, replace: bool) -> ExitCode {
    let copied = connsql::catalog::copy(from, to, replace);
    print_notices();
    match copied {
        Ok((copied, from, to)) => {
            println!("copied {copied} from {from} to {to}");
            ExitCode::SUCCESS
        }
        Err(e) => catalog_unusable(&e),
    }
}

/// What the catalog noticed on the way (a password file ignored), on stderr.
fn print_notices() {
    for notice in connsql::catalog::take_notices() {
        eprintln!("connsql: warning: {notice}");
    }
}

/// Set while `connsql credentials` runs, so a credential process that is connsql again knows.
const NESTED: &str = "CONNSQL_CREDENTIALS_RUNNING";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
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
    connsql::catalog::set_connect_timeout(config.timeout);
    match &config.mode {
        Mode::Credentials(options) => Ok(credentials(options)),
        Mode::CopyCatalog { from, to, replace } => Ok(copy_catalog(from, to, *replace)),
        Mode::Repl | Mode::Batch => statements(config),
    }
}

/// `connsql credentials`: the `credential_process` JSON on stdout and nothing else, or one
/// line on stderr.
fn credentials(options: &connsql::credentials::Options) -> ExitCode {
    // A connsql profile that still reaches connsql for its own identity (another
    // profile's credential_process, or a base profile that is one) would run without end.
    if std::env::var_os(NESTED).is_some() {
        eprintln!(
            "connsql credentials: error[aws-no-credentials]: connsql ran itself for its own AWS identity \
             (a connsql profile's credential process reached another): set CONNSQL_BASE_PROFILE to a profile \
             of your own credentials"
        );
        return ExitCode::from(1);
    }
    let base = connsql::credentials::profile::base_identity();
    // SAFETY: nothing else runs yet (no thread has been started); the AWS SDK reads these
    // later, and the credential processes it may start inherit them.
    unsafe {
        std::env::set_var(NESTED, "1");
        match &base {
            BaseIdentity::Standard => {}
            BaseIdentity::Profile(profile) => std::env::set_var("AWS_PROFILE", profile),
            // A tool told to use a connsql profile passes AWS_PROFILE on; connsql's own
            // identity is the chain without it, in its region.
            BaseIdentity::Without { region, .. } => {
                std::env::remove_var("AWS_PROFILE");
                let region_set = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .iter()
                    .any(|v| std::env::var_os(v).is_some_and(|r| !r.is_empty()));
                if let (Some(region), false) = (region, region_set) {
                    std::env::set_var("AWS_REGION", region);
                }
            }
        }
    }
    // stdout holds the credentials and nothing else; a failure is one line on stderr.
    let issued = connsql::credentials::credentials(options);
    print_notices();
    match issued {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(mut failure) => {
            if let (BaseIdentity::Without { profile, .. }, DiagnosticKind::AwsNoCredentials) =
                (&base, failure.kind)
            {
                failure = failure.with_help(format!(
                    "AWS_PROFILE names {profile}, whose credential process is this command, so \
                     connsql looked for its own identity without it and found none: set \
                     CONNSQL_BASE_PROFILE to a profile of your own credentials"
                ));
            }
            eprintln!("connsql credentials: {}", connsql::sql::one_line(&failure));
            ExitCode::from(1)
        }
    }
}

/// The REPL, or a batch of statements.
fn statements(config: cli::Config) -> anyhow::Result<ExitCode> {
    // A missing catalog is created by the first statement that changes something; one that
    // exists but cannot be used stops everything here.
    let opened = Catalog::open(&config.catalog);
    print_notices();
    let catalog = match opened {
        Ok(c) => CatalogSlot::Open(c),
        // The target as given: the error's path is the one shown, without a password.
        Err(CatalogError::Missing { .. }) => CatalogSlot::Missing {
            path: config.catalog.clone(),
            default: config.default_catalog.clone(),
        },
        Err(e) => return Ok(catalog_unusable(&e)),
    };
    interrupt::install()?;
    let validator = StsValidator::new(StsOptions {
        timeout: config.timeout,
        parallel: config.parallel,
        progress: true,
    });
    let mut session = Session::new(catalog, Box::new(validator));
    if config.mode == Mode::Repl {
        let repl = Repl {
            format: config.format,
            looks: config.err_looks,
            quiet: config.quiet,
            expanded: config.expanded,
            history: cli::data_dir().map(|d| d.join("history.txt")),
            run: config.run,
            seq: 0,
        };
        repl.run(&mut session)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut printer = Printer::new(
        io::BufWriter::new(io::stdout().lock()),
        config.format,
        config.quiet,
        TableStyle {
            terminal: config.stdout_terminal,
            expanded: config.expanded,
        },
    );
    let summary = batch::run(
        &mut session,
        &config.inputs,
        config.run,
        &mut printer,
        &mut io::stderr().lock(),
        config.err_looks,
    );
    if let Some(fatal) = &summary.fatal {
        eprintln!("connsql: {fatal}");
    }
    // A closed stdout pipe ended the run quietly; the status still says whether every
    // statement ran.
    Ok(ExitCode::from(batch::exit_status(&summary)))
}
