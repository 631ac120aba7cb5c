//! connsql: S3 connection objects in SQL. Parse and check statements (`sql`), validate them
//! against AWS STS (`aws`), keep them in a local SQLite catalog (`catalog`), and run them
//! (`session`) from a REPL or in batch.

pub mod sql;
