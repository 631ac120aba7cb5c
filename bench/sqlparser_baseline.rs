//! The baseline of `bench/jobs.py`: sqlparser alone over the same job statements — every
//! statement tokenized, and the SELECT of each `INSERT INTO S3` job parsed — with no checks,
//! no catalog and no output. connsql does that much and also parses the rest, checks,
//! tracks and stores each job.
//!
//!     cargo run --release --example sqlparser-baseline -- FILE [--selects-only]
//!
//! `--selects-only` parses just the SELECTs (a smaller baseline), the rest untouched.

use std::process::ExitCode;

use connsql::sql::select::UpsolverDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: sqlparser-baseline FILE [--selects-only]");
        return ExitCode::from(2);
    };
    let selects_only = args.iter().any(|a| a == "--selects-only");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let dialect = UpsolverDialect;
    let (mut statements, mut queries) = (0usize, 0usize);
    if selects_only {
        // Each SELECT from its keyword to the statement's `;`, as connsql hands it over.
        for stmt in text.split(";\n") {
            let Some(at) = stmt.find("SELECT ") else {
                continue;
            };
            statements += 1;
            match Parser::new(&dialect)
                .try_with_sql(&stmt[at..])
                .and_then(|mut p| p.parse_query())
            {
                Ok(_) => queries += 1,
                Err(e) => eprintln!("{e}"),
            }
        }
    } else {
        // Statement by statement, as connsql reads them; the generated files end each
        // statement with ";\n" and have no ";" inside strings.
        for stmt in text.split(";\n").filter(|s| !s.trim().is_empty()) {
            statements += 1;
            let tokens = match Tokenizer::new(&dialect, stmt).tokenize() {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{e}");
                    continue;
                }
            };
            let select = tokens
                .iter()
                .position(|t| matches!(t, Token::Word(w) if w.keyword == Keyword::SELECT));
            if let Some(at) = select {
                match Parser::new(&dialect)
                    .with_tokens(tokens[at..].to_vec())
                    .parse_query()
                {
                    Ok(_) => queries += 1,
                    Err(e) => eprintln!("{e}"),
                }
            }
        }
    }
    println!("{statements} statements, {queries} queries parsed");
    ExitCode::SUCCESS
}
