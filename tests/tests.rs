//! The integration tests: one binary, one module per area. Binary-level tests run the real
//! `connsql` (and `connsql-sts-emulator`) on temporary catalogs.

#[macro_use]
mod util;

/// ARCHITECTURE.md's invariants, read from the source.
mod architecture;
/// Batch modes, inputs, exit codes and summaries.
mod batch;
/// The catalog file: creation, permissions, migrations, refusals, concurrency.
mod catalog;
/// Crash safety: SIGKILL at random moments, SIGINT and SIGTERM.
mod crash;
/// `connsql credentials` and SHOW AWS PROFILE: credential_process JSON, policies, the cache.
mod credentials;
/// The README and the grammar agree with the option tables.
mod docs;
/// Faults and hostile input: full disk, races, one-line scripts, endless answers, signals.
mod faults;
/// The grammar corpus: `grammar/ok` parses, checks and round-trips; `grammar/err` fails.
mod grammar;
/// Jobs: CREATE/ALTER/DROP JOB, dependencies, READ_ONLY, the v2→v3 migration.
mod jobs;
/// The output formats, and the JSON contract of SPEC §2.
mod output;
/// The IAM policies connsql writes, evaluated by the emulator for an SDK client.
mod policies;
/// Administrators manage, members reference: enforced by PostgreSQL, checked through psql.
mod privileges;
/// The REPL, driven through a pseudo-terminal.
mod repl;
/// Generated statements print and parse back to themselves.
mod roundtrip;
/// S3 access validated: display filters, buckets, diagnoses, VALIDATE … ON … FOR, VALIDATE JOB.
mod s3;
/// Secrets never reach output, errors, history or SHOW CREATE.
mod secrets;
/// Each statement's semantics against a catalog.
mod statements;
/// A PostgreSQL catalog shared by a team: concurrency, server faults, catalog copy.
mod team;
/// What a new user ran into: each fixed, through the real binary.
mod usability;
/// Validation against the local STS emulator.
mod validation;
