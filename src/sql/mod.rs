//! The language layer: text to checked statements, with diagnostics. No I/O.

pub mod ast;
pub mod check;
pub mod complete;
pub mod diagnostic;
pub mod highlight;
pub mod job_spec;
pub mod lex;
pub mod name;
pub mod options;
pub mod parse;
pub mod redact;
pub mod render;
pub mod select;
pub mod setting;
pub mod span;
pub mod spec;
pub mod split;
pub mod values;
pub mod words;

pub use ast::{Ident, Redacted, Statement, StatementKind};
pub use check::{Checked, Plan, check, check_stored, connection_spec};
pub use diagnostic::{Diagnostic, DiagnosticKind, Severity, Source};
pub use parse::{Statements, Step, parse, parse_next};
pub use render::{Drawing, one_line, render, render_all};
pub use span::Span;
pub use spec::{Change, ConnectionOption, ConnectionSpec, Credentials};
