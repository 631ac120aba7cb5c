//! The integration tests: one binary, one module per area. Binary-level tests run the real
//! `connsql` (and `connsql-sts-emulator`) on temporary catalogs.

mod util;

/// The grammar corpus: `grammar/ok` parses, checks and round-trips; `grammar/err` fails.
mod grammar;
/// Generated statements print and parse back to themselves.
mod roundtrip;
/// Each statement's semantics against a catalog.
mod statements;
/// Batch modes, inputs, exit codes and summaries.
mod batch;
/// The output formats, and the JSON contract of SPEC §2.
mod output;
/// The catalog file: creation, permissions, migrations, refusals, concurrency.
mod catalog;
/// Secrets never reach output, errors, history or SHOW CREATE.
mod secrets;
/// Validation against the local STS emulator.
mod validation;
/// The REPL, driven through a pseudo-terminal.
mod repl;
