//! The unit of work against an in-memory catalog and a validator that counts its calls.

use std::cell::Cell;
use std::rc::Rc;

use super::*;
use crate::catalog::Catalog;
use crate::input::{Feed, Item, Piece, Rest, StatementReader};
use crate::validation::ValidationReport;

/// Proves everything, counting the requests it is asked.
struct Counting(Rc<Cell<usize>>);

impl Validator for Counting {
    fn validate(&self, requests: &[ValidationRequest]) -> Vec<ValidationResult> {
        self.0.set(self.0.get() + requests.len());
        requests
            .iter()
            .map(|_| {
                Ok(ValidationReport {
                    caller_arn: Some("arn:aws:iam::111111111111:user/ci".into()),
                    assumed_role_arn: None,
                    warnings: Vec::new(),
                    s3_rows: Vec::new(),
                })
            })
            .collect()
    }

    fn caller_arn(&self) -> Result<String, ValidationFailure> {
        Ok("arn:aws:iam::111111111111:user/ci".into())
    }

    fn region(&self) -> Option<String> {
        Some("us-east-1".into())
    }
}

struct Statements(Vec<Piece>);

impl Feed for Statements {
    fn window(&mut self, max: usize) -> Vec<Item> {
        let n = max.min(self.0.len());
        self.0.drain(..n).map(Item::Statement).collect()
    }

    fn rest(&mut self) -> Rest {
        if self.0.is_empty() {
            Rest::Nothing
        } else {
            Rest::Next(Item::Statement(self.0.remove(0)))
        }
    }
}

/// What the run reported, one line each: `done <object>`, `failed <code>`, `problem <code>`.
#[derive(Default)]
struct Log(Vec<String>);

impl Reporter for Log {
    fn report(&mut self, report: Report<'_>) -> std::io::Result<()> {
        self.0.push(match report {
            Report::Done { executed, .. } => match &executed.outcome {
                Outcome::Changed { object, .. } => format!("done {}", object.name()),
                _ => "done rows".into(),
            },
            Report::Failed { diagnostics, .. } => format!("failed {}", diagnostics[0].kind),
            Report::Problem(d) => format!("problem {}", d.kind),
            Report::Unreadable { .. } => "unreadable".into(),
            Report::Skipped { diagnostic, .. } => format!("skipped {}", diagnostic.kind),
        });
        Ok(())
    }
}

fn session(calls: &Rc<Cell<usize>>) -> Session {
    let catalog = Catalog::in_memory().expect("in-memory catalog");
    Session::new(
        CatalogSlot::Open(catalog),
        Box::new(Counting(calls.clone())),
    )
}

fn feed(sql: &str) -> Statements {
    let pieces = StatementReader::new(sql.as_bytes(), "t.sql")
        .enumerate()
        .map(|(i, mut p)| {
            p.seq = i + 1;
            p
        })
        .collect();
    Statements(pieces)
}

fn run(s: &mut Session, sql: &str, opts: RunOptions) -> (RunSummary, Vec<String>) {
    let mut log = Log::default();
    let summary = s.run(&mut feed(sql), opts, &mut log);
    (summary, log.0)
}

fn offline() -> RunOptions {
    RunOptions {
        validate: false,
        ..RunOptions::default()
    }
}

const THREE: &str =
    "CREATE S3 CONNECTION a; CREATE S3 CONNECTION b READ_ONLY = 'x'; CREATE S3 CONNECTION c;";

#[test]
fn the_first_failure_stops_and_keeps_what_ran() {
    let mut s = session(&Rc::default());
    let (summary, log) = run(&mut s, THREE, offline());
    assert_eq!(log, ["done a", "failed wrong-value-type"]);
    assert_eq!(summary.applied, 1);
    assert_eq!(summary.stopped_at.map(|p| p.seq), Some(2));
    assert_eq!(s.connection_names(), ["a"]);
}

#[test]
fn continue_on_error_runs_the_rest() {
    let mut s = session(&Rc::default());
    let opts = RunOptions {
        on_error: OnError::Continue,
        ..offline()
    };
    let (summary, log) = run(&mut s, THREE, opts);
    assert_eq!(log, ["done a", "failed wrong-value-type", "done c"]);
    assert_eq!((summary.applied, summary.failed), (2, 1));
    assert_eq!(s.connection_names(), ["a", "c"]);
}

#[test]
fn one_transaction_is_all_or_nothing() {
    let mut s = session(&Rc::default());
    let opts = RunOptions {
        single_transaction: true,
        ..offline()
    };
    let (summary, log) = run(&mut s, THREE, opts);
    assert_eq!(log, ["failed wrong-value-type"], "nothing reported done");
    assert!(summary.rolled_back);
    assert!(s.connection_names().is_empty());
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let mut s = session(&Rc::default());
    let opts = RunOptions {
        dry_run: true,
        ..offline()
    };
    let (summary, log) = run(&mut s, "CREATE S3 CONNECTION a; DROP CONNECTION a;", opts);
    assert_eq!(log, ["done a", "done a"], "the plan sees its own changes");
    assert!(summary.success() && summary.rolled_back);
    assert!(s.connection_names().is_empty());
}

#[test]
fn a_write_failing_half_way_leaves_whole_statements() {
    let mut engine = crate::catalog::SqliteEngine::in_memory().expect("in-memory catalog");
    engine.limit_growth(6).expect("limit");
    let mut s = Session::new(
        CatalogSlot::Open(Catalog::new(Box::new(engine))),
        Box::new(Counting(Rc::default())),
    );
    let comment = "x".repeat(700);
    let sql: String = (0..200)
        .map(|i| format!("CREATE S3 CONNECTION c{i:03} COMMENT = '{comment}';"))
        .collect();
    let (summary, log) = run(&mut s, &sql, offline());
    let done = log.iter().filter(|l| l.starts_with("done")).count();
    assert!(done > 0 && done < 200, "{log:?}");
    assert_eq!(summary.applied, done);
    assert_eq!(log.last().map(String::as_str), Some("failed catalog-full"));
    let names = s.connection_names();
    let expected: Vec<String> = (0..done).map(|i| format!("c{i:03}")).collect();
    assert_eq!(
        names, expected,
        "what was reported is what is stored, in order"
    );
}

#[test]
fn identical_credentials_are_proven_once_per_run() {
    let calls = Rc::new(Cell::new(0));
    let mut s = session(&calls);
    let role = "AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab'";
    let sql = format!("CREATE S3 CONNECTION a {role}; CREATE S3 CONNECTION b {role};");
    let (summary, _) = run(&mut s, &sql, RunOptions::default());
    assert!(summary.success());
    assert_eq!(calls.get(), 1);
    run(&mut s, "VALIDATE CONNECTION a;", RunOptions::default());
    assert_eq!(calls.get(), 2, "a new run proves afresh");
}

#[test]
fn reads_of_a_missing_catalog_create_nothing() {
    let dir = std::env::temp_dir().join(format!("connsql-unit-{}", std::process::id()));
    let path = dir.join("none.db");
    let mut s = Session::new(
        CatalogSlot::Missing {
            path: path.clone(),
            default: None,
        },
        Box::new(Counting(Rc::default())),
    );
    let (_, log) = run(
        &mut s,
        "SHOW CONNECTIONS; DROP CONNECTION IF EXISTS x;",
        offline(),
    );
    assert_eq!(log, ["failed catalog-missing"]);
    let (summary, log) = run(&mut s, "DROP CONNECTION IF EXISTS x;", offline());
    assert_eq!(log, ["done x"]);
    assert!(summary.success());
    assert!(!path.exists() && !dir.exists());
}
