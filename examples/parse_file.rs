//! Parses and checks a SQL file and prints how many statements and diagnostics it holds:
//! `cargo run --release --example parse_file -- FILE` (also handy under a profiler).
//! With `--sqlparser FILE` it runs sqlparser's full parse instead, for comparisons.

use std::process::ExitCode;

// The allocator the connsql binary runs with, so the figures are the binary's (and sqlparser
// gets the same).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (sqlparser, path) = match args.as_slice() {
        [flag, path] if flag == "--sqlparser" => (true, path.clone()),
        [path] => (false, path.clone()),
        _ => {
            eprintln!("usage: parse_file [--sqlparser] FILE");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    if sqlparser {
        let dialect = sqlparser::dialect::GenericDialect {};
        return match sqlparser::parser::Parser::parse_sql(&dialect, &text) {
            Ok(stmts) => {
                println!(
                    "sqlparser: {} statements in {:.3} s",
                    stmts.len(),
                    started.elapsed().as_secs_f64()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(1)
            }
        };
    }
    let (mut statements, mut diagnostics) = (0usize, 0usize);
    for result in connsql::sql::Statements::new(&text) {
        match result {
            Ok(stmt) => {
                statements += 1;
                if let Err(errors) = connsql::sql::check(&stmt) {
                    diagnostics += errors.len();
                }
            }
            Err(_) => diagnostics += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{statements} statements, {diagnostics} diagnostics, {:.1} MB in {:.3} s ({:.1} MB/s)",
        text.len() as f64 / 1e6,
        secs,
        text.len() as f64 / 1e6 / secs
    );
    ExitCode::SUCCESS
}
