//! The language layer: text to checked statements, with diagnostics. No I/O.

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod job_spec;
pub mod lex;
pub mod options;
pub mod parse;
pub mod redact;
pub mod select;
pub mod span;
pub mod spec;
pub mod split;
pub mod values;

pub use ast::{Ident, Redacted, Statement, StatementKind};
pub use check::{Checked, Plan, check, check_stored};
pub use diagnostic::{Diagnostic, DiagnosticKind, Severity, Source, render};
pub use parse::{Statements, Step, parse, parse_next};
pub use span::Span;
pub use spec::{Change, ConnectionOption, ConnectionSpec, Credentials};
