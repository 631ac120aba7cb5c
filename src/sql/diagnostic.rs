//! Errors and warnings as data (kind, span, message, help), rendered like rustc at the edge.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

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
    Catalog => "catalog",
    AwsAccessDenied => "aws-access-denied",
    AwsRegionDisabled => "aws-region-disabled",
    AwsBadCredentials => "aws-bad-credentials",
    AwsNoCredentials => "aws-no-credentials",
    AwsNoRegion => "aws-no-region",
    AwsUnreachable => "aws-unreachable",
    AwsTimeout => "aws-timeout",
    AwsThrottled => "aws-throttled",
    AwsError => "aws-error",
    ExternalIdNotRequired => "external-id-not-required",
    KmsAlias => "kms-alias",
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
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Longer material shown after the help, such as a policy document to paste.
    pub note: Option<String>,
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
        }
    }

    pub fn warning(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
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

/// The text a diagnostic's span points into, with the name and line it starts at.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// File name as the user gave it (`-` for standard input, `<command line>` for `-c`).
    pub name: &'a str,
    pub text: &'a str,
    /// 1-based line number of the first line of `text` in the named file.
    pub first_line: usize,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text,
            first_line: 1,
        }
    }

    /// 1-based line and character column of a byte offset, in the named file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, col) = LineIndex::new(self.text).line_col(self.text, offset);
        (line + self.first_line - 1, col)
    }
}

/// Renders a diagnostic the way rustc does: headline, `--> file:line:col`, the source lines
/// with a caret under the span, then help and note.
pub fn render(diag: &Diagnostic, source: &Source<'_>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Only the lines the span covers are handed to the renderer, so a diagnostic in a large
    // file costs its own lines, and line numbers come from our index. Secret values in those
    // lines are masked in place, so the caret still lands where it should.
    let masked = super::redact::mask_in_place(source.text);
    let text: &str = &masked;
    let index = LineIndex::new(text);
    let start = super::span::floor_char_boundary(text, diag.span.start.min(text.len()));
    let end = super::span::floor_char_boundary(text, diag.span.end.clamp(start, text.len()));
    let first = index.line_of(start);
    let last = index.line_of(end.saturating_sub(1).max(start));
    let from = index.line_start(first);
    let to = index.line_end(text, last).max(end);
    let excerpt = &text[from..to];
    let mut annotation = AnnotationKind::Primary.span(start - from..end - from);
    if let Some(label) = &diag.label {
        annotation = annotation.label(label.as_str());
    }
    let snippet = Snippet::source(excerpt)
        .line_start(first + source.first_line)
        .path(source.name)
        .annotation(annotation);
    let mut title = level
        .primary_title(diag.message.as_str())
        .id(diag.kind.code())
        .element(snippet);
    if let Some(help) = &diag.help {
        title = title.element(Level::HELP.message(help.as_str()));
    }
    let mut report: Vec<Group<'_>> = vec![title];
    if let Some(note) = &diag.note {
        report.push(Group::with_title(
            Level::NOTE.secondary_title(note.as_str()),
        ));
    }
    renderer.render(&report)
}
