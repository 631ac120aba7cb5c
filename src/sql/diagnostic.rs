//! Errors and warnings as data (kind, span, message, help): what every layer reports with, and
//! `render` turns into text at the edge. No rendering here, so every layer may import it.

use std::fmt;

use super::span::{LineIndex, Span};

macro_rules! kinds {
    ($($variant:ident => $code:literal,)*) => {
        /// What went wrong, as a stable code: tests and scripts match on it, never on wording.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DiagnosticKind { $($variant,)* }

        impl DiagnosticKind {
            /// The code shown as `error[code]`.
            pub fn code(self) -> &'static str {
                match self { $(DiagnosticKind::$variant => $code,)* }
            }

            /// The kind whose code this is.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(DiagnosticKind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    Syntax => "syntax",
    UnterminatedString => "unterminated-string",
    UnterminatedIdentifier => "unterminated-identifier",
    UnterminatedComment => "unterminated-comment",
    InvalidUtf8 => "invalid-utf8",
    UnsupportedStatement => "unsupported-statement",
    UnsupportedConnectionType => "unsupported-connection-type",
    UnknownOption => "unknown-option",
    RepeatedOption => "repeated-option",
    WrongValueType => "wrong-value-type",
    InvalidValue => "invalid-value",
    ConflictingOptions => "conflicting-options",
    MissingOption => "missing-option",
    ConflictingClauses => "conflicting-clauses",
    ConnectionExists => "connection-exists",
    ConnectionNotFound => "connection-not-found",
    MaskedSecret => "masked-secret",
    NotForThisJob => "not-for-this-job",
    JobExists => "job-exists",
    JobNotFound => "job-not-found",
    ConnectionInUse => "connection-in-use",
    ReadOnlyConnection => "read-only-connection",
    NotEditable => "not-editable",
    UnreadableInput => "unreadable-input",
    Cancelled => "cancelled",
    Catalog => "catalog",
    CatalogMissing => "catalog-missing",
    CatalogFull => "catalog-full",
    CatalogBusy => "catalog-busy",
    CatalogReadOnly => "catalog-read-only",
    AwsAccessDenied => "aws-access-denied",
    AwsRegionDisabled => "aws-region-disabled",
    AwsBadCredentials => "aws-bad-credentials",
    AwsNoCredentials => "aws-no-credentials",
    AwsNoRegion => "aws-no-region",
    AwsUnreachable => "aws-unreachable",
    AwsTimeout => "aws-timeout",
    AwsThrottled => "aws-throttled",
    AwsError => "aws-error",
    AwsBadAnswer => "aws-bad-answer",
    ExternalIdNotRequired => "external-id-not-required",
    KmsAlias => "kms-alias",
    LocationCoversSiblings => "location-covers-siblings",
    ControlCharacter => "control-character",
    NotAMember => "not-a-member",
    AdminRequired => "admin-required",
    UsageRequired => "usage-required",
    NotJobOwner => "not-job-owner",
    RoleNotFound => "role-not-found",
    TeamCatalogOnly => "team-catalog-only",
    SecretWithheld => "secret-withheld",
    PublicGrant => "public-grant",
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a statement, pointing at the text it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub severity: Severity,
    /// Where, in the text the statement was parsed from.
    pub span: Span,
    /// The headline: what is wrong.
    pub message: String,
    /// Short text shown under the caret.
    pub label: Option<Box<str>>,
    /// How to fix it.
    pub help: Option<Box<str>>,
    /// Longer material shown after the help, such as a policy document to paste.
    pub note: Option<Box<str>>,
    /// Other places the problem involves, each with a short label.
    pub secondary: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn error(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            severity: Severity::Error,
            span,
            message: message.into(),
            label: None,
            help: None,
            note: None,
            secondary: Vec::new(),
        }
    }

    pub fn warning(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into().into_boxed_str());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into().into_boxed_str());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// A one-line form without source context, for logs and `{}` in tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}]: {}", self.kind, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The text a diagnostic's span points into: a statement's own text (or a whole file), with
/// the name of its input and the line and column its first character sits at.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// File name as the user gave it (`-` for standard input, `<command 1>` for `-c`).
    pub name: &'a str,
    pub text: &'a str,
    /// 1-based line of the first character of `text` in the named input.
    pub first_line: usize,
    /// 1-based character column of the first character of `text` on its line.
    pub first_column: usize,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text,
            first_line: 1,
            first_column: 1,
        }
    }

    /// 1-based line and character column of a byte offset, in the named input.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.locate(&LineIndex::new(self.text), offset)
    }

    pub(crate) fn locate(&self, index: &LineIndex, offset: usize) -> (usize, usize) {
        let (line, col) = index.line_col(self.text, offset);
        let col = if line == 1 {
            col + self.first_column - 1
        } else {
            col
        };
        (line + self.first_line - 1, col)
    }
}
