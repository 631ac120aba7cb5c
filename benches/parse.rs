//! Parse+check throughput of the connection dialect, side by side with sqlparser's full parse
//! of equivalent `CREATE TABLE … WITH (…)` statements, on 100,000 statements (~19 MB).
//!
//! `cargo bench --bench parse`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Tokenizer;

// The allocator the connsql binary runs with (sqlparser gets the same).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const STATEMENTS: usize = 100_000;

/// SPEC's example shape: one connection per statement, four options over five lines.
fn connsql_script() -> String {
    (0..STATEMENTS)
        .map(|i| {
            format!(
                "CREATE S3 CONNECTION conn_{i:06}\n    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader-{i:06}'\n    \
                 EXTERNAL_ID = 'a1b2c3d4-{i:06}'\n    READ_ONLY = TRUE\n    COMMENT = 'raw zone of team {i:06}';\n"
            )
        })
        .collect()
}

/// The same information as sqlparser SQL.
fn sqlparser_script() -> String {
    (0..STATEMENTS)
        .map(|i| {
            format!(
                "CREATE TABLE conn_{i:06} (a INT) WITH (\n    aws_role = 'arn:aws:iam::123456789012:role/lake-reader-{i:06}',\n    \
                 external_id = 'a1b2c3d4-{i:06}',\n    read_only = TRUE,\n    comment = 'raw zone of team {i:06}');\n"
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let ours = connsql_script();
    let theirs = sqlparser_script();
    let mut group = c.benchmark_group("100k statements");
    group.sample_size(10);

    group.throughput(Throughput::Bytes(ours.len() as u64));
    group.bench_function("connsql parse+check", |b| {
        b.iter(|| {
            let mut n = 0;
            for stmt in connsql::sql::Statements::new(&ours) {
                let stmt = stmt.expect("valid");
                assert!(connsql::sql::check(&stmt).is_ok());
                n += 1;
            }
            assert_eq!(n, STATEMENTS);
        })
    });

    group.throughput(Throughput::Bytes(theirs.len() as u64));
    group.bench_function("sqlparser full parse", |b| {
        b.iter(|| {
            let stmts = Parser::parse_sql(&GenericDialect {}, &theirs).expect("valid");
            assert_eq!(stmts.len(), STATEMENTS);
        })
    });
    group.bench_function("sqlparser tokenizer only", |b| {
        b.iter(|| {
            Tokenizer::new(&GenericDialect {}, &theirs)
                .tokenize()
                .expect("valid")
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
