//! connsql: S3 connection objects in SQL. Parse and check statements (`sql`), validate them
//! against AWS STS (`aws`, behind the `validation` seam), keep them in a local SQLite catalog
//! (`catalog`), and run them (`session`) from a REPL (`repl`) or in batch (`batch`).

pub mod aws;
pub mod batch;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod credentials;
pub mod input;
pub mod interrupt;
pub mod output;
pub mod policy;
pub mod repl;
pub mod session;
pub mod sql;
pub mod validation;
