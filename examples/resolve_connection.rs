//! How a job runner resolves a connection by name through the library API, the basis of
//! `CREATE JOB … FROM S3 <connection>`:
//!
//!     cargo run --example resolve_connection -- CATALOG NAME
//!
//! It prints how the job would authenticate. A real runner would hand the secret to the AWS
//! SDK; this example only says whether there is one.

use std::process::ExitCode;

use connsql::catalog::Catalog;
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
    // Names fold as in SQL: LAKE finds lake, "Lake" is exact.
    let connection = match catalog.lookup(name) {
        Ok(Some(c)) => c,
        Ok(None) => {
            eprintln!("no connection named {name}");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
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
    ExitCode::SUCCESS
}
