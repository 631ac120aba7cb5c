//! How a job runner resolves what it needs through the library API: the job by name, with
//! the connection it references (by identity, so a renamed or replaced connection still
//! resolves), and how that connection authenticates.
//!
//!     cargo run --example resolve_connection -- CATALOG NAME
//!
//! NAME is a job, or else a connection. A real runner would hand the secret to the AWS SDK;
//! this example only says whether there is one.

use std::process::ExitCode;

use connsql::catalog::{Catalog, StoredConnection};
use connsql::sql::Credentials;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [catalog_path, name] = args.as_slice() else {
        eprintln!("usage: resolve_connection CATALOG NAME");
        return ExitCode::from(2);
    };
    let mut catalog = match Catalog::open(catalog_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Names fold as in SQL: LOAD_ORDERS finds load_orders, "Load" is exact.
    let connection = match catalog.lookup_job(name) {
        Ok(Some((job, connection))) => {
            let spec = &job.spec;
            println!("job {} ({})", job.name, spec.kind().as_str());
            match spec.target() {
                Some(table) => println!("  reads {} into {table}", spec.location()),
                None => println!(
                    "  writes {} from {}",
                    spec.location(),
                    spec.source_tables().join(", ")
                ),
            }
            println!("  through connection {}", connection.name);
            connection
        }
        Ok(None) => match catalog.lookup(name) {
            Ok(Some(c)) => c,
            Ok(None) => {
                eprintln!("no job or connection named {name}");
                return ExitCode::from(1);
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    describe(&connection);
    ExitCode::SUCCESS
}

/// How the runner would authenticate, without the secret.
fn describe(connection: &StoredConnection) {
    let spec = &connection.spec;
    match &spec.credentials {
        Credentials::Role { arn, external_id } => {
            println!("assume {arn}");
            if let Some(id) = external_id {
                println!("  with external ID {id}");
            }
        }
        Credentials::Keys {
            access_key_id,
            secret_access_key,
        } => {
            println!(
                "use access key {access_key_id} (secret of {} characters)",
                secret_access_key.expose().len()
            );
        }
        Credentials::Default => println!("use the runner's own AWS credentials"),
    }
    println!("read-only: {}", spec.read_only);
    for path in &spec.path_display_filters {
        println!("display filter: {path}");
    }
    if let Some(key) = &spec.encryption_kms_key {
        println!("encrypt with KMS key {key}");
    }
    match connection.validated_at {
        Some(at) => println!("last validated: {}", connsql::clock::rfc3339(at)),
        None => println!("never validated"),
    }
}
