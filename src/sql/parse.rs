//! Statements from text: recursive descent over the tokens of `lex`, one statement at a time,
//! recovering at the next `;` so one bad statement does not hide the next.

use std::cell::RefCell;

use super::ast::{
    Access, CreateJob, DropBehavior, GrantFilter, GrantObject, Grantee, GroupSetting, Ident,
    JobStatementBody, OptionName, OptionSetting, Options, Privilege, Statement, StatementKind,
    StringLit, TableName, Transformation, Value,
};
use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::job_spec::JobOption;
use super::lex::{self, LexErrorKind, TokenKind};
use super::options::{OptionKey, ValueKind};
use super::select::{self, Select};
use super::span::Span;
use super::spec::ConnectionOption;
use super::split;
use super::words::{HEAD_KEYWORDS, STATEMENT_STARTS, TIME_UNITS};

/// Parses every statement of `text`. Spans are byte offsets into `text`.
pub fn parse(text: &str) -> (Vec<Statement>, Vec<Diagnostic>) {
    let mut statements = Vec::new();
    let mut diagnostics = Vec::new();
    for result in Statements::new(text) {
        match result {
            Ok(stmt) => statements.push(stmt),
            Err(diag) => diagnostics.push(diag),
        }
    }
    (statements, diagnostics)
}

/// The statements of a complete text, one at a time; memory does not grow with the text.
pub struct Statements<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Statements<'a> {
    pub fn new(text: &'a str) -> Self {
        Statements { text, pos: 0 }
    }
}

impl Iterator for Statements<'_> {
    type Item = Result<Statement, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match parse_next(self.text, self.pos, true) {
                Step::Done => return None,
                Step::Empty { next } => self.pos = next,
                Step::Parsed { result, next } => {
                    self.pos = next;
                    return Some(result);
                }
                Step::NeedMore => unreachable!("a complete text never needs more"),
            }
        }
    }
}

/// What one call of [`parse_next`] found.
#[derive(Debug)]
pub enum Step {
    /// Nothing but blanks and comments up to the end of the text.
    Done,
    /// An empty statement (`;` alone); go on at `next`.
    Empty { next: usize },
    /// A statement or the diagnostic that stopped it; the next one starts at `next`.
    Parsed {
        result: Result<Statement, Diagnostic>,
        next: usize,
    },
    /// The statement is not finished yet and `at_eof` was false: call again with more text.
    NeedMore,
}

/// Parses the statement starting at `from`. With `at_eof` false the text may still grow
/// (a pipe, the REPL), and a statement without its `;` asks for more.
pub fn parse_next(text: &str, from: usize, at_eof: bool) -> Step {
    let start = match lex::blanks(&text[from..]) {
        Ok((rest, ())) => text.len() - rest.len(),
        Err(_) if !at_eof => return Step::NeedMore,
        Err(_) => {
            let at = comment_start(text, from);
            let diag = Diagnostic::error(
                DiagnosticKind::UnterminatedComment,
                Span::new(at, (at + 2).min(text.len())),
                "block comment is never closed",
            )
            .with_label("this comment runs to the end of the input")
            .with_help("close it with */");
            return Step::Parsed {
                result: Err(diag),
                next: text.len(),
            };
        }
    };
    if start == text.len() {
        return if at_eof { Step::Done } else { Step::NeedMore };
    }
    if text[start..].starts_with(';') {
        return Step::Empty { next: start + 1 };
    }
    // Parse first; the splitter runs only to recover from an error. The parser stops at the
    // statement's own `;`, so it never reads into the next statement.
    let mut parser = Parser::new(text, start, at_eof, None);
    let failure = match parser.statement() {
        Ok(_) if !parser.terminated && !at_eof => return Step::NeedMore,
        Ok(kind) => {
            let span = Span::new(start, parser.pos);
            return Step::Parsed {
                result: Ok(Statement { kind, span }),
                next: parser.pos,
            };
        }
        Err(failure) => failure,
    };
    match failure {
        Failure::Diag(diag) => match split::statement_end(text, start) {
            Some(end) => Step::Parsed {
                result: Err(*diag),
                next: end,
            },
            None if !at_eof => Step::NeedMore,
            None => Step::Parsed {
                result: Err(*diag),
                next: text.len(),
            },
        },
        Failure::Incomplete => Step::NeedMore,
        Failure::Foreign { head } => match foreign_end(text, start, at_eof) {
            Some(next) => Step::Parsed {
                result: Err(not_a_connection_statement(text, head)),
                next,
            },
            None => Step::NeedMore,
        },
    }
}

/// `A = 'x', B = 'y'`: Upsolver separates options with whitespace only.
fn comma_between_options(at: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::Syntax,
        at,
        "options are separated by whitespace, not commas",
    )
    .with_label("remove this comma")
}

fn is_time_unit(word: &str) -> bool {
    TIME_UNITS.iter().any(|u| u.eq_ignore_ascii_case(word))
}

/// Where an unterminated block comment after `from` starts.
fn comment_start(text: &str, from: usize) -> usize {
    let mut rest = &text[from..];
    loop {
        match lex::blanks(rest) {
            Err(nom::Err::Failure(e)) | Err(nom::Err::Error(e)) => return text.len() - e.at.len(),
            Ok((r, ())) if r.len() < rest.len() => rest = r,
            _ => return text.len() - rest.len(),
        }
    }
}

/// The end of a statement connsql does not run, by sqlparser's rules for strings, quoted
/// names and comments (`$$…$$` included), so its body cannot be mistaken for statements.
fn foreign_end(text: &str, start: usize, at_eof: bool) -> Option<usize> {
    use sqlparser::dialect::GenericDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    // Each `;` in turn is a candidate end: the first up to which sqlparser tokenizes the
    // statement whole (no string, quoted name or `$$` body left open) is the real one.
    let mut from = start;
    while let Some(k) = text[from..].find(';') {
        let end = from + k + 1;
        let complete = Tokenizer::new(&GenericDialect {}, &text[start..end])
            .tokenize()
            .is_ok_and(|tokens| matches!(tokens.last(), Some(Token::SemiColon)));
        if complete {
            return Some(end);
        }
        from = end;
    }
    at_eof.then_some(text.len())
}

fn not_a_connection_statement(text: &str, head: Span) -> Diagnostic {
    // Keywords are shown upper case, names as written.
    let words: Vec<String> = text[head.range()]
        .split_whitespace()
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
                && HEAD_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
            {
                w.to_ascii_uppercase()
            } else {
                w.to_string()
            }
        })
        .collect();
    let head_text = words.join(" ");
    Diagnostic::error(
        DiagnosticKind::UnsupportedStatement,
        head,
        format!("`{head_text}` is not a connection statement"),
    )
    .with_label("connsql runs connection and S3 job statements only")
    .with_help(
        "connsql manages S3 connections and the jobs that use them (CREATE, ALTER, DROP, \
         VALIDATE, SHOW, DESCRIBE … CONNECTION or JOB, COPY FROM S3 / INSERT INTO S3 jobs, \
         GRANT); run this statement where its tables live, or give --skip-unsupported to skip \
         such statements and run the rest",
    )
}

/// What the parser looked for at the end of a text: one thing that may be typed there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    Keyword(&'static str),
    /// A name, of an object that exists (a connection, a job) or of a new one.
    Name(NameKind),
    /// An option name of one table, in one place of a statement.
    Option(OptionPlace),
    /// One of the words an option's value may be (`TRUE`, `FALSE`, `JSON`, …).
    Value(&'static [&'static str]),
}

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Connection,
    Job,
    /// A role of the catalog's server, or PUBLIC.
    Role,
    /// A new object's name, or a table's: nothing to offer.
    New,
}

/// Where options are written, which decides which options may come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionPlace {
    /// `CREATE S3 CONNECTION c …`
    Connection,
    /// `ALTER S3 CONNECTION c SET …`
    ConnectionSet,
    /// `CREATE JOB j … AS`: options of either kind of job.
    Job,
    /// `… AS COPY FROM S3 c … INTO`: a COPY's source options.
    CopySource,
    /// `… AS INSERT INTO S3 c …`: where an INSERT writes.
    InsertTarget,
    /// `ALTER JOB j SET …`: the options `ALTER JOB` may change.
    JobSet,
}

/// The look-ups of a parse of a text's last statement, recorded at the text's end.
#[derive(Debug, Default)]
pub struct Probe(std::cell::RefCell<Vec<Expected>>);

/// What may be typed at the end of `text`, as the parser itself looks for it there: the
/// keywords, names, options and values it tries at that point of the last statement. The
/// REPL's completion is this, filtered by what is typed of the word.
pub fn expected_at_end(text: &str) -> Vec<Expected> {
    let mut start = 0;
    while let Some(end) = split::statement_end(text, start) {
        start = end;
    }
    let probe = Probe::default();
    let mut parser = Parser::new(text, start, true, Some(&probe));
    // The statement stops at the end of the text, one way or another; what it tried to read
    // there is the answer.
    let _ = parser.statement();
    let mut expected = probe.0.into_inner();
    let mut seen = Vec::with_capacity(expected.len());
    expected.retain(|e| {
        let new = !seen.contains(e);
        seen.push(*e);
        new
    });
    expected
}

/// Room for the tokens the parser looks ahead (it peeks at most two past `pos`).
const TOKENS: usize = 4;

/// Boxed, so the parser's many `Result`s stay small on the hot path.
type Fallible<T> = Result<T, Box<Diagnostic>>;

enum Failure {
    Diag(Box<Diagnostic>),
    /// A job's query has no end yet and the text may still grow.
    Incomplete,
    /// A statement of another kind; `head` covers its leading words.
    Foreign {
        head: Span,
    },
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::Diag(Box::new(d))
    }
}

impl From<Box<Diagnostic>> for Failure {
    fn from(d: Box<Diagnostic>) -> Self {
        Failure::Diag(d)
    }
}

type PResult<T> = Result<T, Failure>;

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Option<TokenKind>,
    raw: &'a str,
    span: Span,
    /// At the end of a text read for completion: where the parser's look-ups are recorded.
    probe: Option<&'a Probe>,
}

impl Token<'_> {
    fn is_eof(&self) -> bool {
        self.kind.is_none()
    }

    /// Whether this is the keyword `kw`. Asked of the end of a text read for completion, the
    /// question is what may come there, and is recorded.
    fn is_word(&self, kw: &'static str) -> bool {
        if self.kind.is_none() {
            self.expect(Expected::Keyword(kw));
        }
        self.kind == Some(TokenKind::Word) && self.raw.eq_ignore_ascii_case(kw)
    }

    /// Whether this is one of `words`, asked to rule them out (no completion is recorded).
    fn is_any_word(&self, words: &[&str]) -> bool {
        self.kind == Some(TokenKind::Word) && words.iter().any(|w| self.raw.eq_ignore_ascii_case(w))
    }

    /// Records what may come at the end of a text read for completion.
    fn expect(&self, what: Expected) {
        if let Some(probe) = self.probe {
            probe.0.borrow_mut().push(what);
        }
    }

    fn is(&self, kind: TokenKind) -> bool {
        self.kind == Some(kind)
    }

    fn describe(&self) -> String {
        match self.kind {
            None => "the end of the statement".to_string(),
            Some(TokenKind::Semi) => "`;`".to_string(),
            // A literal's text is never quoted in a message: it may be a secret, and the caret
            // shows where it is.
            Some(TokenKind::String) => "a string".to_string(),
            Some(TokenKind::QuotedIdent) => "a quoted name".to_string(),
            Some(TokenKind::DollarString) => "a dollar-quoted string".to_string(),
            Some(TokenKind::Number) => "a number".to_string(),
            Some(_) => format!("`{}`", self.raw),
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// End of this statement's text, just past its `;` when it has one.
    end: usize,
    /// Tokens lexed ahead of `pos` (each once, however often it is peeked), from the token
    /// after `pos` or a little before it.
    tokens: RefCell<Vec<Token<'a>>>,
    /// The index in `tokens` of the token after `pos`.
    next: usize,
    /// Whether the statement ended with its `;` (rather than the end of the text).
    terminated: bool,
    /// Whether the text is complete (else a statement without its `;` may still grow).
    at_eof: bool,
    /// Set when the text is read for completion: what the parser looks for at its end.
    probe: Option<&'a Probe>,
}

impl<'a> Parser<'a> {
    /// A parser of the statement starting at `pos`; `probe` when the text is read for
    /// completion.
    fn new(text: &'a str, pos: usize, at_eof: bool, probe: Option<&'a Probe>) -> Self {
        Parser {
            text,
            pos,
            end: text.len(),
            tokens: RefCell::new(Vec::with_capacity(TOKENS)),
            next: 0,
            terminated: false,
            at_eof,
            probe,
        }
    }

    /// The token `ahead` tokens after `pos`, lexed on first sight.
    #[inline]
    fn token(&self, ahead: usize) -> Fallible<Token<'a>> {
        let index = self.next + ahead;
        let lexed = self.tokens.borrow().get(index).copied();
        match lexed {
            Some(tok) => Ok(tok),
            None => self.lex_up_to(index),
        }
    }

    /// Lexes on until the token at `index` of `tokens`.
    #[inline(never)]
    fn lex_up_to(&self, index: usize) -> Fallible<Token<'a>> {
        let mut tokens = self.tokens.borrow_mut();
        while tokens.len() <= index {
            let from = tokens.last().map_or(self.pos, |t: &Token<'a>| t.span.end);
            let tok = self.lex_from(from)?;
            tokens.push(tok);
        }
        Ok(tokens[index])
    }

    fn lex_from(&self, pos: usize) -> Fallible<Token<'a>> {
        let slice = &self.text[pos..self.end];
        let (rest, ()) = lex::blanks(slice).map_err(|e| self.lex_error(e))?;
        let start = self.end - rest.len();
        if rest.is_empty() {
            return Ok(Token {
                kind: None,
                raw: "",
                span: Span::new(start, start),
                probe: self.probe,
            });
        }
        let (after, (kind, raw)) = lex::token(rest).map_err(|e| self.lex_error(e))?;
        Ok(Token {
            kind: Some(kind),
            raw,
            span: Span::new(start, self.end - after.len()),
            probe: None,
        })
    }

    /// Goes on at byte `pos`, after text read by another parser (a query, an expression).
    fn jump(&mut self, pos: usize) {
        self.pos = pos;
        self.next = 0;
        self.tokens.get_mut().clear();
    }

    fn lex_error(&self, err: nom::Err<lex::LexError<'_>>) -> Diagnostic {
        let e = match err {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            nom::Err::Incomplete(_) => {
                return Diagnostic::error(
                    DiagnosticKind::Syntax,
                    Span::new(self.end, self.end),
                    "incomplete input",
                );
            }
        };
        let at = self.end - e.at.len();
        let span = Span::new(at, self.end);
        let first = Span::new(at, at + 1);
        match e.kind {
            LexErrorKind::UnterminatedString => Diagnostic::error(
                DiagnosticKind::UnterminatedString,
                first,
                "string is never closed",
            )
            .with_label("this string runs to the end of the statement")
            .with_help("end the string with ' (write '' for a quote inside it)"),
            LexErrorKind::UnterminatedIdentifier => Diagnostic::error(
                DiagnosticKind::UnterminatedIdentifier,
                first,
                "quoted name is never closed",
            )
            .with_label("this name runs to the end of the statement")
            .with_help("end the name with \" (write \"\" for a quote inside it)"),
            LexErrorKind::UnterminatedComment => Diagnostic::error(
                DiagnosticKind::UnterminatedComment,
                Span::new(at, (at + 2).min(self.end)),
                "block comment is never closed",
            )
            .with_label("this comment runs to the end of the statement")
            .with_help("close it with */"),
            LexErrorKind::UnterminatedDollar => {
                let delimiter = lex::dollar_delimiter(e.at).unwrap_or("$$");
                Diagnostic::error(
                    DiagnosticKind::UnterminatedString,
                    Span::new(at, (at + delimiter.len()).min(self.end)),
                    "dollar-quoted string is never closed",
                )
                .with_label("this string runs to the end of the statement")
                .with_help(format!(
                    "connsql's strings are in single quotes ('…', '' for a quote); {delimiter} is another dialect's"
                ))
            }
            LexErrorKind::Nom(_) => {
                Diagnostic::error(DiagnosticKind::Syntax, span, "unexpected input")
            }
        }
    }

    fn peek(&self) -> Fallible<Token<'a>> {
        self.token(0)
    }

    fn peek2(&self) -> Fallible<Token<'a>> {
        self.token(1)
    }

    fn next(&mut self) -> Fallible<Token<'a>> {
        let tok = self.token(0)?;
        self.pos = tok.span.end;
        self.next += 1;
        // A consumed token is never read again: once every lexed token is, the buffer starts
        // over, so a statement of any length holds only the few tokens looked ahead.
        let tokens = self.tokens.get_mut();
        if self.next == tokens.len() {
            tokens.clear();
            self.next = 0;
        }
        Ok(tok)
    }

    fn expected(&self, what: &str, found: Token<'_>) -> Diagnostic {
        Diagnostic::error(
            DiagnosticKind::Syntax,
            found.span,
            format!("expected {what}, found {}", found.describe()),
        )
    }

    fn expect_word(&mut self, kw: &'static str) -> Fallible<Token<'a>> {
        let tok = self.next()?;
        if tok.is_word(kw) {
            Ok(tok)
        } else {
            Err(self.expected(&format!("`{kw}`"), tok).into())
        }
    }

    fn eat_word(&mut self, kw: &'static str) -> Fallible<bool> {
        if self.peek()?.is_word(kw) {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn statement(&mut self) -> PResult<StatementKind> {
        let first = self.next()?;
        if first.is_eof() {
            for verb in STATEMENT_STARTS {
                first.expect(Expected::Keyword(verb));
            }
        }
        if first.kind != Some(TokenKind::Word) {
            return Err(self
                .expected("a statement such as CREATE S3 CONNECTION", first)
                .into());
        }
        let verb = first.raw.to_ascii_uppercase();
        let kind = match verb.as_str() {
            "CREATE" => self.create(first)?,
            "ALTER" => self.alter(first)?,
            "DROP" => self.drop(first)?,
            "VALIDATE" if self.peek()?.is_word("CONNECTION") => {
                self.next()?;
                let name = self.ident(NameKind::Connection)?;
                if self.eat_word("ON")? {
                    self.validate_access(name)?
                } else {
                    StatementKind::ValidateConnection { name }
                }
            }
            "VALIDATE" if self.peek()?.is_word("JOB") => {
                self.next()?;
                StatementKind::ValidateJob {
                    name: self.ident(NameKind::Job)?,
                }
            }
            "DESCRIBE" | "DESC" if self.peek()?.is_word("JOB") => {
                self.next()?;
                StatementKind::DescribeJob {
                    name: self.ident(NameKind::Job)?,
                }
            }
            "DESCRIBE" | "DESC" if self.peek()?.is_word("CONNECTION") => {
                self.next()?;
                StatementKind::DescribeConnection {
                    name: self.ident(NameKind::Connection)?,
                }
            }
            "DESCRIBE" | "DESC" | "VALIDATE"
                if self.peek()?.is_eof() || self.peek()?.is(TokenKind::Semi) =>
            {
                let tok = self.next()?;
                return Err(self.expected("CONNECTION or JOB", tok).into());
            }
            "DESCRIBE" | "DESC" | "VALIDATE" if self.bare_name_then_end()? => {
                let name = self.ident(NameKind::Connection)?;
                let verb = if verb == "DESC" {
                    "DESCRIBE"
                } else {
                    verb.as_str()
                };
                return Err(Diagnostic::error(
                    DiagnosticKind::Syntax,
                    first.span.to(name.span),
                    format!("{verb} needs the kind of object: {verb} CONNECTION {name}"),
                )
                .with_label(format!("did you mean {verb} CONNECTION {name}?"))
                .into());
            }
            "SHOW" => self.show(first)?,
            // Other privileges (SELECT ON TABLE …) are another system's statements.
            "GRANT" | "REVOKE"
                if self.peek()?.is_word("ADMIN") || self.peek()?.is_word("USAGE") =>
            {
                self.grant(first.is_word("REVOKE"))?
            }
            "GRANT" | "REVOKE" if self.peek()?.is_eof() => {
                let tok = self.next()?;
                return Err(self.expected("ADMIN or USAGE", tok).into());
            }
            _ => {
                return Err(Failure::Foreign {
                    head: self.head(first)?,
                });
            }
        };
        self.finish()?;
        Ok(kind)
    }

    /// The leading words of a foreign statement, for its message: `CREATE TABLE`, `CREATE SYNC JOB`.
    fn head(&mut self, first: Token<'_>) -> Fallible<Span> {
        let mut span = first.span;
        let takes_object = ["CREATE", "ALTER", "DROP", "SHOW", "DESCRIBE"]
            .iter()
            .any(|v| first.is_word(v));
        if takes_object {
            let mut tok = self.peek()?;
            for _ in 0..3 {
                if tok.kind != Some(TokenKind::Word) {
                    break;
                }
                span = span.to(tok.span);
                let modifier = [
                    "SYNC",
                    "OR",
                    "REPLACE",
                    "TEMPORARY",
                    "MATERIALIZED",
                    "EXTERNAL",
                ]
                .iter()
                .any(|m| tok.is_any_word(&[m]));
                if !modifier {
                    break;
                }
                self.next()?;
                tok = self.peek()?;
            }
        }
        Ok(span)
    }

    /// A statement's first keyword where this statement should go on (`CREATE` where an option
    /// or the `;` belongs, and no `=` after it): the statement before it lacks its `;`. The
    /// error points at the end of that statement, where the `;` goes.
    fn missing_semicolon(&self, previous_end: usize) -> Fallible<Option<Diagnostic>> {
        let tok = self.peek()?;
        if !tok.is_any_word(STATEMENT_STARTS) || self.peek2()?.is(TokenKind::Eq) {
            return Ok(None);
        }
        let keyword = tok.raw.to_ascii_uppercase();
        Ok(Some(
            Diagnostic::error(
                DiagnosticKind::Syntax,
                Span::new(previous_end, previous_end),
                format!("{keyword} starts another statement: this one has no `;`"),
            )
            .with_label("add `;` here")
            .with_secondary(tok.span, "the next statement starts here")
            .with_help("end each statement with `;`"),
        ))
    }

    /// After the statement: its `;` or the end of the text.
    fn finish(&mut self) -> Fallible<()> {
        if let Some(diag) = self.missing_semicolon(self.pos)? {
            return Err(diag.into());
        }
        let tok = self.next()?;
        if tok.is_eof() || tok.is(TokenKind::Semi) {
            self.terminated = tok.is(TokenKind::Semi);
            return Ok(());
        }
        Err(self.expected("`;`", tok).into())
    }

    /// Checks that `CONNECTION` follows a type word; other connection types get their own error.
    fn connection_type(&mut self, verb: Token<'_>) -> PResult<()> {
        let ty = self.peek()?;
        if ty.is_word("S3") {
            self.next()?;
            self.expect_word("CONNECTION")?;
            return Ok(());
        }
        if ty.kind == Some(TokenKind::Word) && self.peek2()?.is_word("CONNECTION") {
            return Err(Diagnostic::error(
                DiagnosticKind::UnsupportedConnectionType,
                ty.span,
                format!(
                    "{} connections are not supported",
                    ty.raw.to_ascii_uppercase()
                ),
            )
            .with_label("connsql manages S3 connections only")
            .with_help("write S3 here, or create this connection where its jobs run")
            .into());
        }
        Err(Failure::Foreign {
            head: self.head(verb)?,
        })
    }

    fn create(&mut self, verb: Token<'_>) -> PResult<StatementKind> {
        let or_replace = if self.peek()?.is_word("OR") {
            self.next()?;
            self.expect_word("REPLACE")?;
            true
        } else {
            false
        };
        let next = self.peek()?;
        if next.is_word("JOB") || (next.is_word("SYNC") && self.peek2()?.is_word("JOB")) {
            return self.create_job(or_replace);
        }
        // ALTER and DROP may leave the type out; CREATE names it, as Upsolver's does. Another
        // system's `CREATE CONNECTION` (Snowflake's) stays a statement --skip-unsupported skips.
        // Asked without recording it for completion: it is not something to offer.
        if next.is_any_word(&["CONNECTION"]) {
            return Err(Diagnostic::error(
                DiagnosticKind::UnsupportedStatement,
                next.span,
                "CREATE CONNECTION needs the connection's type",
            )
            .with_label("S3 goes before CONNECTION")
            .with_help(
                "connsql creates S3 connections: CREATE S3 CONNECTION <name> …; another \
                 system's CREATE CONNECTION runs there (--skip-unsupported skips it)",
            )
            .into());
        }
        self.connection_type(verb)?;
        let if_not_exists = self.if_not_exists(or_replace, "connection")?;
        let name = self.named(NameKind::New, "a connection name")?;
        let options = self.options()?;
        Ok(StatementKind::CreateConnection {
            or_replace,
            if_not_exists,
            name,
            options,
        })
    }

    /// `[IF NOT EXISTS]`, which `OR REPLACE` excludes.
    fn if_not_exists(&mut self, or_replace: bool, object: &str) -> Fallible<bool> {
        if !self.peek()?.is_word("IF") {
            return Ok(false);
        }
        let tok = self.next()?;
        self.expect_word("NOT")?;
        let exists = self.expect_word("EXISTS")?;
        if or_replace {
            return Err(Diagnostic::error(
                DiagnosticKind::ConflictingClauses,
                tok.span.to(exists.span),
                "OR REPLACE and IF NOT EXISTS cannot be used together",
            )
            .with_help(format!(
                "OR REPLACE overwrites an existing {object}, IF NOT EXISTS leaves it alone: keep one"
            ))
            .into());
        }
        Ok(true)
    }

    /// `[SYNC] JOB [IF NOT EXISTS] name { option } AS { COPY FROM | INSERT INTO } S3 …`, after
    /// `CREATE [OR REPLACE]`.
    fn create_job(&mut self, or_replace: bool) -> PResult<StatementKind> {
        let sync = self.eat_word("SYNC")?;
        self.expect_word("JOB")?;
        let if_not_exists = self.if_not_exists(or_replace, "job")?;
        let name = self.named(NameKind::New, "a job name")?;
        let options = self.options_until::<JobOption>(
            &["AS"],
            OptionPlace::Job,
            "`AS COPY FROM S3 …` or `AS INSERT INTO S3 …`",
        )?;
        self.expect_word("AS")?;
        let kind = self.next()?;
        let body = if kind.is_word("COPY") {
            self.expect_word("FROM")?;
            self.expect_word("S3")?;
            let connection = self.ident(NameKind::Connection)?;
            let source = self.options_until::<JobOption>(
                &["INTO"],
                OptionPlace::CopySource,
                "`INTO` and the table to load",
            )?;
            self.expect_word("INTO")?;
            let target = self.table_name()?;
            let after = self.peek()?;
            if after.kind == Some(TokenKind::Word) && self.peek2()?.is(TokenKind::Eq) {
                return Err(self
                    .expected("the end of the statement after the table", after)
                    .with_help("a COPY FROM job's options go before AS, or between the connection and INTO")
                    .into());
            }
            JobStatementBody::Copy {
                connection,
                source,
                target,
            }
        } else if kind.is_word("INSERT") {
            self.expect_word("INTO")?;
            self.expect_word("S3")?;
            let connection = self.ident(NameKind::Connection)?;
            let target = self.options_until::<JobOption>(
                &["MAP_COLUMNS_BY_NAME", "SELECT", "WITH"],
                OptionPlace::InsertTarget,
                "the SELECT that makes the rows to write",
            )?;
            let map_columns_by_name = self.eat_word("MAP_COLUMNS_BY_NAME")?;
            let select = self.select()?;
            JobStatementBody::Insert {
                connection,
                target,
                map_columns_by_name,
                select,
            }
        } else {
            return Err(self
                .expected("COPY FROM S3 or INSERT INTO S3 after AS", kind)
                .with_help("a job reads a connection (AS COPY FROM S3 connection …) or writes to one (AS INSERT INTO S3 connection …)")
                .into());
        };
        Ok(StatementKind::CreateJob(Box::new(CreateJob {
            or_replace,
            sync,
            if_not_exists,
            name,
            options,
            body,
        })))
    }

    /// Options up to one of the words in `stop` (not consumed).
    fn options_until<K: OptionKey>(
        &mut self,
        stop: &[&'static str],
        place: OptionPlace,
        next: &str,
    ) -> Fallible<Options<K>> {
        let mut options = Vec::new();
        loop {
            let tok = self.peek()?;
            if tok.is_eof() {
                tok.expect(Expected::Option(place));
            }
            if stop.iter().any(|w| tok.is_word(w)) || tok.is(TokenKind::LParen) {
                return Ok(Options(options));
            }
            if stop.contains(&"AS") && tok.is_any_word(&["COPY", "INSERT"]) {
                return Err(self
                    .expected("`AS` before it", tok)
                    .with_help(format!("write … AS {} …", tok.raw.to_ascii_uppercase()))
                    .into());
            }
            match tok.kind {
                Some(TokenKind::Word) => options.push(self.option::<K>(place)?),
                Some(TokenKind::Comma) => return Err(comma_between_options(tok.span).into()),
                _ => return Err(self.expected(next, tok).into()),
            }
        }
    }

    /// `name { . name }`
    fn table_name(&mut self) -> Fallible<TableName> {
        let first = self.named(NameKind::New, "a table name")?;
        let mut span = first.span;
        let mut parts = vec![first];
        while self.peek()?.raw == "." && self.peek()?.is(TokenKind::Other) {
            self.next()?;
            let part = self.named(NameKind::New, "a table name")?;
            span = span.to(part.span);
            parts.push(part);
        }
        Ok(TableName { parts, span })
    }

    /// The query of an `INSERT INTO S3` job: the rest of the statement, read by sqlparser.
    fn select(&mut self) -> PResult<Select> {
        let (_, start) = {
            let tok = self.peek()?;
            (tok, tok.span.start)
        };
        let Some(end) = select::query_end(self.text, start, self.at_eof) else {
            return Err(Failure::Incomplete);
        };
        let query = select::parse_select(self.text, Span::new(start, end))?;
        self.jump(end);
        Ok(query)
    }

    fn options<K: OptionKey>(&mut self) -> Fallible<Options<K>> {
        // Statements rarely have more than eight options: one allocation.
        let mut options = Vec::with_capacity(8);
        loop {
            let tok = self.peek()?;
            if tok.is_eof() {
                tok.expect(Expected::Option(OptionPlace::Connection));
            }
            match tok.kind {
                None | Some(TokenKind::Semi) => return Ok(Options(options)),
                Some(TokenKind::Word) => options.push(self.option::<K>(OptionPlace::Connection)?),
                Some(TokenKind::Comma) => return Err(comma_between_options(tok.span).into()),
                _ => {
                    return Err(self
                        .expected("an option name such as AWS_ROLE, or `;`", tok)
                        .into());
                }
            }
        }
    }

    fn option<K: OptionKey>(&mut self, place: OptionPlace) -> Fallible<OptionSetting<K>> {
        let previous_end = self.pos;
        if let Some(diag) = self.missing_semicolon(previous_end)? {
            return Err(diag.into());
        }
        let name_tok = self.next()?;
        if name_tok.is_eof() {
            name_tok.expect(Expected::Option(place));
        }
        if name_tok.kind != Some(TokenKind::Word) {
            return Err(self
                .expected("an option name such as AWS_ROLE", name_tok)
                .into());
        }
        let name = match K::from_name(name_tok.raw) {
            Some(key) => OptionName::Known(key, name_tok.span),
            None => OptionName::Unknown(name_tok.raw.to_string(), name_tok.span),
        };
        let eq = self.next()?;
        if !eq.is(TokenKind::Eq) {
            let shown = name.to_string();
            return Err(self
                .expected(&format!("`=` after {shown}"), eq)
                .with_help(format!("write {shown} = <value>"))
                .into());
        }
        // Only a text read for completion records what value may come.
        if let (OptionName::Known(key, _), Some(_)) = (&name, self.probe) {
            let next = self.peek()?;
            if next.is_eof() {
                match key.def().kind {
                    ValueKind::Boolean => next.expect(Expected::Value(&["TRUE", "FALSE"])),
                    ValueKind::Enum(words) => next.expect(Expected::Value(words)),
                    ValueKind::Moment => {
                        next.expect(Expected::Value(&["NOW", "BEGINNING", "TIMESTAMP"]))
                    }
                    _ => {}
                }
            }
        }
        if let OptionName::Known(key, _) = &name
            && matches!(key.def().kind, ValueKind::Transformations)
            && self.peek()?.is(TokenKind::LParen)
        {
            let open = self.next()?;
            let value = self.transformations(open)?;
            return Ok(OptionSetting { name, value });
        }
        let value = self.value()?;
        Ok(OptionSetting { name, value })
    }

    /// `( column = expression { , column = expression } )` after its `(`: each expression is
    /// general SQL, read by sqlparser up to the `,` or `)` that ends it at its own depth.
    fn transformations(&mut self, open: Token<'_>) -> Fallible<Value> {
        let help = "write COLUMN_TRANSFORMATIONS = (email_hash = MD5(email), …)";
        let mut items = Vec::new();
        loop {
            let column = self.named(NameKind::New, "a column name")?;
            let eq = self.next()?;
            if !eq.is(TokenKind::Eq) {
                return Err(self
                    .expected(&format!("`=` after {column}"), eq)
                    .with_help(help)
                    .into());
            }
            let start = self.pos;
            let mut depth = 0usize;
            let mut end = None;
            for w in lex::walk(&self.text[..self.end], start) {
                match w.piece {
                    lex::Piece::Token(TokenKind::LParen) => depth += 1,
                    lex::Piece::Token(TokenKind::RParen) if depth > 0 => depth -= 1,
                    lex::Piece::Token(TokenKind::Comma | TokenKind::RParen) if depth == 0 => {
                        end = Some(w.start);
                        break;
                    }
                    lex::Piece::Token(TokenKind::Semi) => break,
                    _ => {}
                }
            }
            let Some(end) = end else {
                let at = lex::walk(&self.text[..self.end], start)
                    .find(|w| w.is(TokenKind::Semi))
                    .map_or(self.end, |w| w.start);
                return Err(Diagnostic::error(
                    DiagnosticKind::Syntax,
                    Span::new(at, (at + 1).min(self.text.len())),
                    "COLUMN_TRANSFORMATIONS is not closed",
                )
                .with_label("expected `)` before this")
                .with_help(help)
                .into());
            };
            let expression = select::parse_expression(self.text, Span::new(start, end))?;
            let span = column.span.to(Span::new(end, end));
            items.push(Transformation {
                column,
                expression,
                span,
            });
            self.jump(end);
            let sep = self.next()?;
            if sep.is(TokenKind::RParen) {
                return Ok(Value::Transformations(items, open.span.to(sep.span)));
            }
        }
    }

    fn value(&mut self) -> Fallible<Value> {
        let tok = self.next()?;
        Ok(match tok.kind {
            Some(TokenKind::String) => Value::String(self.string_lit(tok)),
            Some(TokenKind::Word) if tok.raw.eq_ignore_ascii_case("TRUE") => {
                Value::Bool(true, tok.span)
            }
            Some(TokenKind::Word) if tok.raw.eq_ignore_ascii_case("FALSE") => {
                Value::Bool(false, tok.span)
            }
            Some(TokenKind::Word)
                if tok.raw.eq_ignore_ascii_case("TIMESTAMP")
                    && self.peek()?.is(TokenKind::String) =>
            {
                let lit = self.next()?;
                Value::Timestamp(self.string_lit(lit), tok.span.to(lit.span))
            }
            Some(TokenKind::Word) => Value::Word(tok.raw.to_string(), tok.span),
            Some(TokenKind::QuotedIdent) => {
                Value::Quoted(lex::unquote(tok.raw).into_owned(), tok.span)
            }
            Some(TokenKind::Number) => {
                let unit = self.peek()?;
                if unit.kind == Some(TokenKind::Word) && is_time_unit(unit.raw) {
                    self.next()?;
                    Value::Interval {
                        amount: tok.raw.to_string(),
                        unit: unit.raw.to_ascii_uppercase(),
                        span: tok.span.to(unit.span),
                    }
                } else {
                    Value::Number(tok.raw.to_string(), tok.span)
                }
            }
            Some(TokenKind::DollarString) => {
                return Err(Diagnostic::error(
                    DiagnosticKind::Syntax,
                    tok.span,
                    "dollar-quoted strings are not part of this dialect",
                )
                .with_label("write this value in single quotes")
                .with_help("strings are in single quotes: '…', with '' for a quote inside")
                .into());
            }
            Some(TokenKind::LParen) => {
                let first = self.peek()?;
                if first.kind == Some(TokenKind::Word) && self.peek2()?.is(TokenKind::Eq) {
                    return self.group(tok);
                }
                if matches!(first.kind, Some(TokenKind::Word | TokenKind::QuotedIdent)) {
                    return self.names(tok);
                }
                let mut items = Vec::new();
                loop {
                    let item = self.next()?;
                    match item.kind {
                        Some(TokenKind::String) => items.push(self.string_lit(item)),
                        Some(TokenKind::RParen) if items.is_empty() => {
                            return Err(Diagnostic::error(
                                DiagnosticKind::Syntax,
                                tok.span.to(item.span),
                                "empty list",
                            )
                            .with_label("a list needs at least one string")
                            .with_help("leave the option out to have no display filter")
                            .into());
                        }
                        _ => return Err(self.expected("a string in the list", item).into()),
                    }
                    let sep = self.next()?;
                    match sep.kind {
                        Some(TokenKind::Comma) => continue,
                        Some(TokenKind::RParen) => {
                            return Ok(Value::List(items, tok.span.to(sep.span)));
                        }
                        _ => return Err(self.expected("`,` or `)`", sep).into()),
                    }
                }
            }
            _ => {
                return Err(self
                    .expected("a value (a string, TRUE, FALSE or a list)", tok)
                    .into());
            }
        })
    }

    /// `( name { , name } )` after its `(`: the columns of `DEDUPLICATE_WITH`.
    fn names(&mut self, open: Token<'_>) -> Fallible<Value> {
        let mut names = Vec::new();
        loop {
            names.push(self.named(NameKind::New, "a column name")?);
            let sep = self.next()?;
            match sep.kind {
                Some(TokenKind::Comma) => continue,
                Some(TokenKind::RParen) => return Ok(Value::Names(names, open.span.to(sep.span))),
                _ => return Err(self.expected("`,` or `)`", sep).into()),
            }
        }
    }

    /// `( KEY = value { KEY = value } )` after its `(`.
    fn group(&mut self, open: Token<'_>) -> Fallible<Value> {
        let mut items = Vec::new();
        loop {
            let name = self.next()?;
            match name.kind {
                Some(TokenKind::RParen) if !items.is_empty() => {
                    return Ok(Value::Group(items, open.span.to(name.span)));
                }
                Some(TokenKind::Word) => {}
                _ => {
                    return Err(self
                        .expected("a setting such as TYPE = CSV, or `)`", name)
                        .into());
                }
            }
            let eq = self.next()?;
            if !eq.is(TokenKind::Eq) {
                return Err(self
                    .expected(&format!("`=` after {}", name.raw.to_ascii_uppercase()), eq)
                    .into());
            }
            let value = self.value()?;
            let span = name.span.to(value.span());
            items.push(GroupSetting {
                name: name.raw.to_ascii_uppercase(),
                value,
                span,
            });
            if self.peek()?.is(TokenKind::Comma) {
                self.next()?;
            }
        }
    }

    fn string_lit(&self, tok: Token<'_>) -> StringLit {
        StringLit {
            value: lex::unquote(tok.raw).into_owned(),
            span: tok.span,
        }
    }

    fn ident(&mut self, kind: NameKind) -> Fallible<Ident> {
        let what = match kind {
            NameKind::Connection => "a connection name",
            NameKind::Job => "a job name",
            NameKind::Role => "a role name",
            NameKind::New => "a name",
        };
        self.named(kind, what)
    }

    /// A name, `what` saying which in an error (`a job name`, `a table name`).
    fn named(&mut self, kind: NameKind, what: &str) -> Fallible<Ident> {
        let tok = self.next()?;
        if tok.is_eof() {
            tok.expect(Expected::Name(kind));
        }
        match tok.kind {
            Some(TokenKind::Word) => Ok(Ident {
                value: tok.raw.to_ascii_lowercase(),
                quoted: false,
                span: tok.span,
            }),
            Some(TokenKind::QuotedIdent) => {
                let value = lex::unquote(tok.raw).into_owned();
                if value.is_empty() {
                    return Err(Diagnostic::error(
                        DiagnosticKind::Syntax,
                        tok.span,
                        format!("{what} cannot be empty"),
                    )
                    .into());
                }
                Ok(Ident {
                    value,
                    quoted: true,
                    span: tok.span,
                })
            }
            Some(TokenKind::Number) => Err(Diagnostic::error(
                DiagnosticKind::Syntax,
                tok.span,
                format!("a name cannot start with a digit: `{}`", tok.raw),
            )
            .with_help(format!(
                "quote it as \"{}\", or start it with a letter or _",
                tok.raw
            ))
            .into()),
            _ => Err(self.expected(what, tok).into()),
        }
    }

    fn alter(&mut self, verb: Token<'_>) -> PResult<StatementKind> {
        if self.peek()?.is_word("JOB") {
            self.next()?;
            let name = self.ident(NameKind::Job)?;
            let tok = self.peek()?;
            if !tok.is_word("SET") {
                return Err(self
                    .expected("SET", tok)
                    .with_help("ALTER JOB name SET OPTION = value changes one option per SET")
                    .into());
            }
            let set = self.set_clauses::<JobOption>(OptionPlace::JobSet)?;
            return Ok(StatementKind::AlterJob { name, set });
        }
        if self.peek()?.is_word("CONNECTION") {
            self.next()?;
        } else {
            self.connection_type(verb)?;
        }
        let name = self.ident(NameKind::Connection)?;
        let tok = self.peek()?;
        if tok.is_word("RENAME") {
            self.next()?;
            self.expect_word("TO")?;
            let new_name = self.named(NameKind::New, "a connection name")?;
            return Ok(StatementKind::RenameConnection { name, new_name });
        }
        if !tok.is_word("SET") {
            let mut diag = self.expected("SET or RENAME TO", tok);
            if tok.kind == Some(TokenKind::Word) {
                diag = diag.with_help(format!(
                    "write SET {} = <value>",
                    tok.raw.to_ascii_uppercase()
                ));
            }
            return Err(diag.into());
        }
        let set = self.set_clauses::<ConnectionOption>(OptionPlace::ConnectionSet)?;
        Ok(StatementKind::AlterConnection { name, set })
    }

    /// `SET option { SET option }`
    fn set_clauses<K: OptionKey>(&mut self, place: OptionPlace) -> Fallible<Options<K>> {
        let mut set = Vec::new();
        while self.eat_word("SET")? {
            set.push(self.option::<K>(place)?);
            let after = self.peek()?;
            match after.kind {
                Some(TokenKind::Word) if !after.is_word("SET") => {
                    return Err(Diagnostic::error(
                        DiagnosticKind::Syntax,
                        after.span,
                        format!("expected SET before {}", after.raw.to_ascii_uppercase()),
                    )
                    .with_help("each option needs its own SET: SET A = 'x' SET B = 'y'")
                    .into());
                }
                Some(TokenKind::Comma) => {
                    return Err(Diagnostic::error(
                        DiagnosticKind::Syntax,
                        after.span,
                        "SET clauses are separated by whitespace, not commas",
                    )
                    .with_label("remove this comma")
                    .into());
                }
                _ => {}
            }
        }
        Ok(Options(set))
    }

    fn drop(&mut self, verb: Token<'_>) -> PResult<StatementKind> {
        if self.peek()?.is_word("JOB") {
            self.next()?;
            let if_exists = self.if_exists()?;
            return Ok(StatementKind::DropJob {
                if_exists,
                name: self.ident(NameKind::Job)?,
            });
        }
        if self.peek()?.is_word("CONNECTION") {
            self.next()?;
        } else {
            self.connection_type(verb)?;
        }
        let if_exists = self.if_exists()?;
        let name = self.ident(NameKind::Connection)?;
        let behavior = if self.eat_word("RESTRICT")? {
            DropBehavior::Restrict
        } else if self.eat_word("CASCADE")? {
            DropBehavior::Cascade
        } else {
            DropBehavior::Default
        };
        Ok(StatementKind::DropConnection {
            if_exists,
            name,
            behavior,
        })
    }

    /// `… ON 's3://…' [FOR READ | WRITE | LIST | DELETE | ALL]`, after `ON`.
    fn validate_access(&mut self, name: Ident) -> Fallible<StatementKind> {
        let tok = self.next()?;
        if !tok.is(TokenKind::String) {
            return Err(self
                .expected("the location to check, such as 's3://bucket/prefix/'", tok)
                .into());
        }
        let location = self.string_lit(tok);
        let access = if self.eat_word("FOR")? {
            let word = self.next()?;
            match Access::ALL.into_iter().find(|a| word.is_word(a.as_str())) {
                Some(a) => Some(a),
                None => {
                    return Err(self
                        .expected("READ, WRITE, LIST, DELETE or ALL", word)
                        .with_help(
                            "FOR names what to check: READ, WRITE, LIST, DELETE, or ALL of them",
                        )
                        .into());
                }
            }
        } else {
            None
        };
        Ok(StatementKind::ValidateAccess {
            name,
            location,
            access,
        })
    }

    fn if_exists(&mut self) -> Fallible<bool> {
        if self.eat_word("IF")? {
            self.expect_word("EXISTS")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `[LIKE 'pattern']`
    fn like(&mut self) -> Fallible<Option<StringLit>> {
        if !self.eat_word("LIKE")? {
            return Ok(None);
        }
        let pattern = self.next()?;
        if !pattern.is(TokenKind::String) {
            return Err(self
                .expected("a pattern string such as 'lake%'", pattern)
                .into());
        }
        Ok(Some(self.string_lit(pattern)))
    }

    /// Whether the next token is a lone name ending the statement (`DESCRIBE lake;`), and not
    /// an object word of another statement (`DESCRIBE TABLE t`).
    fn bare_name_then_end(&self) -> Fallible<bool> {
        let tok = self.peek()?;
        let name = matches!(tok.kind, Some(TokenKind::Word | TokenKind::QuotedIdent))
            && !tok.is_any_word(HEAD_KEYWORDS);
        let after = self.peek2()?;
        Ok(name && (after.is_eof() || after.is(TokenKind::Semi)))
    }

    /// `GRANT|REVOKE ADMIN|USAGE ON CATALOG|CONNECTION name TO|FROM role, …`, after the verb.
    fn grant(&mut self, revoke: bool) -> Fallible<StatementKind> {
        let privilege = if self.eat_word("ADMIN")? {
            Privilege::Admin
        } else {
            self.expect_word("USAGE")?;
            Privilege::Usage
        };
        self.expect_word("ON")?;
        let on = self.next()?;
        let object = if on.is_word("CATALOG") {
            GrantObject::Catalog
        } else if on.is_word("CONNECTION") {
            let name = self.ident(NameKind::Connection)?;
            if privilege == Privilege::Admin {
                return Err(Diagnostic::error(
                    DiagnosticKind::Syntax,
                    on.span.to(name.span),
                    "ADMIN is a privilege on the catalog, not on one connection",
                )
                .with_help(format!(
                    "administrators manage every connection: {} ADMIN ON CATALOG …; a job's \
                     author needs USAGE ON CONNECTION {name}",
                    if revoke { "REVOKE" } else { "GRANT" }
                ))
                .into());
            }
            GrantObject::Connection(name)
        } else {
            let mut diag = self.expected("CATALOG or CONNECTION", on);
            if on.is_any_word(&["TABLE", "SCHEMA", "DATABASE", "ALL"]) {
                diag = diag.with_help(
                    "connsql grants ADMIN and USAGE on its catalog and USAGE on its \
                     connections; grant the server's own privileges with psql",
                );
            }
            return Err(diag.into());
        };
        let (to, other) = if revoke {
            ("FROM", "TO")
        } else {
            ("TO", "FROM")
        };
        let tok = self.peek()?;
        if tok.is_word(other) {
            return Err(self
                .expected(&format!("`{to}`"), tok)
                .with_help(format!(
                    "{} … {to} role",
                    if revoke { "REVOKE" } else { "GRANT" }
                ))
                .into());
        }
        self.expect_word(to)?;
        let mut roles = vec![self.grantee()?];
        while self.peek()?.is(TokenKind::Comma) {
            self.next()?;
            roles.push(self.grantee()?);
        }
        Ok(StatementKind::Grant {
            revoke,
            privilege,
            object,
            roles,
        })
    }

    /// A role name, or PUBLIC.
    fn grantee(&mut self) -> Fallible<Grantee> {
        let tok = self.peek()?;
        if tok.is_word("PUBLIC") {
            self.next()?;
            return Ok(Grantee::Public);
        }
        let role = self.ident(NameKind::Role)?;
        Ok(if role.value == "public" {
            Grantee::Public
        } else {
            Grantee::Role(role)
        })
    }

    fn show(&mut self, verb: Token<'_>) -> PResult<StatementKind> {
        let tok = self.peek()?;
        if tok.is_any_word(&["CONNECTION"]) {
            let after = self.peek2()?;
            let (label, help) = if after.is_eof()
                || after.is(TokenKind::Semi)
                || after.is_word("LIKE")
            {
                (
                    "did you mean SHOW CONNECTIONS?".to_string(),
                    "SHOW CONNECTIONS [LIKE 'pattern'] lists connections".to_string(),
                )
            } else {
                (
                    "did you mean DESCRIBE CONNECTION?".to_string(),
                    format!(
                        "DESCRIBE CONNECTION {0} shows one connection; SHOW CREATE CONNECTION {0} its CREATE statement",
                        after.raw
                    ),
                )
            };
            return Err(Diagnostic::error(
                DiagnosticKind::Syntax,
                verb.span.to(tok.span),
                "SHOW CONNECTION is not a statement",
            )
            .with_label(label)
            .with_help(help)
            .into());
        }
        if tok.is_word("CONNECTIONS") {
            self.next()?;
            let like = self.like()?;
            return Ok(StatementKind::ShowConnections { like });
        }
        if tok.is_word("CREATE") {
            self.next()?;
            if self.eat_word("JOB")? {
                return Ok(StatementKind::ShowCreateJob {
                    name: self.ident(NameKind::Job)?,
                });
            }
            self.expect_word("CONNECTION")?;
            return Ok(StatementKind::ShowCreateConnection {
                name: self.ident(NameKind::Connection)?,
            });
        }
        if tok.is_word("JOBS") {
            self.next()?;
            let like = self.like()?;
            let connection = if self.eat_word("FOR")? {
                self.expect_word("CONNECTION")?;
                Some(self.ident(NameKind::Connection)?)
            } else {
                None
            };
            return Ok(StatementKind::ShowJobs { like, connection });
        }
        if tok.is_word("TRUST") {
            self.next()?;
            self.expect_word("POLICY")?;
            let connection = if self.eat_word("FOR")? {
                self.expect_word("CONNECTION")?;
                Some(self.ident(NameKind::Connection)?)
            } else {
                None
            };
            return Ok(StatementKind::ShowTrustPolicy { connection });
        }
        if tok.is_word("AWS") && self.peek2()?.is_word("PROFILE") {
            self.next()?;
            self.next()?;
            self.expect_word("FOR")?;
            self.expect_word("CONNECTION")?;
            let connection = self.ident(NameKind::Connection)?;
            let job = if self.eat_word("JOB")? {
                Some(self.ident(NameKind::Job)?)
            } else {
                None
            };
            return Ok(StatementKind::ShowAwsProfile { connection, job });
        }
        if tok.is_word("GRANTS") {
            self.next()?;
            let filter = if self.eat_word("TO")? {
                Some(GrantFilter::To(self.grantee()?))
            } else if self.eat_word("ON")? {
                if self.eat_word("CATALOG")? {
                    Some(GrantFilter::On(GrantObject::Catalog))
                } else {
                    self.expect_word("CONNECTION")?;
                    Some(GrantFilter::On(GrantObject::Connection(
                        self.ident(NameKind::Connection)?,
                    )))
                }
            } else {
                None
            };
            return Ok(StatementKind::ShowGrants { filter });
        }
        if tok.is_word("CREDENTIAL") {
            self.next()?;
            self.expect_word("ISSUES")?;
            let connection = if self.eat_word("FOR")? {
                self.expect_word("CONNECTION")?;
                Some(self.ident(NameKind::Connection)?)
            } else {
                None
            };
            return Ok(StatementKind::ShowCredentialIssues { connection });
        }
        if tok.is_word("S3") && self.peek2()?.is_word("POLICY") {
            self.next()?;
            self.next()?;
            self.expect_word("FOR")?;
            self.expect_word("CONNECTION")?;
            return Ok(StatementKind::ShowS3Policy {
                name: self.ident(NameKind::Connection)?,
            });
        }
        Err(Failure::Foreign {
            head: self.head(verb)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_buffer_holds_only_what_is_looked_ahead() {
        // A statement of many tokens: the buffer never grows past its first allocation.
        let text = format!(
            "CREATE S3 CONNECTION c AWS_ROLE = 'arn:aws:iam::123456789012:role/r' \
             PATH_DISPLAY_FILTERS = ({});",
            vec!["'s3://b/'"; 5_000].join(", ")
        );
        let mut parser = Parser::new(&text, 0, true, None);
        assert!(parser.statement().is_ok());
        assert!(parser.terminated);
        assert_eq!(parser.tokens.borrow().capacity(), TOKENS);
    }

    /// Parses `input`; `expect` is the canonical print of each statement, or `error[kind]`.
    fn check(input: &str, expect: &[&str]) {
        let got: Vec<String> = Statements::new(input)
            .map(|r| match r {
                Ok(stmt) => stmt.to_string(),
                Err(diag) => format!("error[{}]", diag.kind),
            })
            .collect();
        assert_eq!(got, expect, "input: {input}");
    }

    #[test]
    fn create_forms() {
        check(
            "create s3 connection Lake aws_role='arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab' read_only = true",
            &[
                "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab' READ_ONLY = TRUE",
            ],
        );
        check(
            "CREATE OR REPLACE S3 CONNECTION \"My Conn\" COMMENT = 'it''s';",
            &["CREATE OR REPLACE S3 CONNECTION \"My Conn\" COMMENT = 'it''s'"],
        );
        check(
            "CREATE S3 CONNECTION IF NOT EXISTS x;",
            &["CREATE S3 CONNECTION IF NOT EXISTS x"],
        );
        check(
            "CREATE OR REPLACE S3 CONNECTION IF NOT EXISTS x;",
            &["error[conflicting-clauses]"],
        );
    }

    #[test]
    fn recovers_at_the_next_semicolon() {
        check(
            "CREATE S3 CONNECTION; DROP CONNECTION a; CREATE S3 CONNECTION c AWS_ROLE 'x'; SHOW CONNECTIONS",
            &[
                "error[syntax]",
                "DROP CONNECTION a",
                "error[syntax]",
                "SHOW CONNECTIONS",
            ],
        );
    }

    #[test]
    fn foreign_statements_are_named() {
        let (stmts, diags) =
            parse("CREATE TABLE default_glue_catalog.db.t (a int); DROP CONNECTION c;");
        assert_eq!(stmts.len(), 1);
        assert_eq!(
            diags[0].message,
            "`CREATE TABLE` is not a connection statement"
        );
        let (_, diags) = parse("CREATE GLUE_CATALOG CONNECTION g;");
        assert_eq!(diags[0].kind, DiagnosticKind::UnsupportedConnectionType);
    }

    #[test]
    fn dollar_quoted_bodies_do_not_split() {
        let (stmts, diags) = parse("CREATE FUNCTION f() AS $$ a; b $$; SHOW CONNECTIONS;");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(stmts.len(), 1);
    }

    #[test]
    fn empty_statements_and_comments() {
        check(";; -- nothing\n/* here */ ;", &[]);
        check("/* open", &["error[unterminated-comment]"]);
    }

    #[test]
    fn need_more_until_semicolon() {
        assert!(matches!(
            parse_next("CREATE S3 CONNECTION x\n", 0, false),
            Step::NeedMore
        ));
        assert!(matches!(
            parse_next("CREATE S3 CONNECTION x;\n", 0, false),
            Step::Parsed { .. }
        ));
        assert!(matches!(parse_next("  -- c\n", 0, false), Step::NeedMore));
    }

    #[test]
    fn job_forms() {
        check(
            "create job r COMPUTE_CLUSTER = \"Default Compute\" as copy from s3 c bucket = 'bkt' prefix = '/' into db.t",
            &[
                "CREATE JOB r COMPUTE_CLUSTER = \"Default Compute\" AS COPY FROM S3 c BUCKET = 'bkt' PREFIX = '/' INTO db.t",
            ],
        );
        check(
            "CREATE SYNC JOB e AS INSERT INTO S3 c LOCATION = 's3://b/o/' MAP_COLUMNS_BY_NAME SELECT * FROM t; SHOW JOBS",
            &[
                "CREATE SYNC JOB e AS INSERT INTO S3 c LOCATION = 's3://b/o/' MAP_COLUMNS_BY_NAME SELECT * FROM t",
                "SHOW JOBS",
            ],
        );
        check(
            "ALTER JOB e SET COMMENT = 'x' SET END_AT = NOW; DROP JOB IF EXISTS e; DROP CONNECTION c CASCADE",
            &[
                "ALTER JOB e SET END_AT = NOW SET COMMENT = 'x'",
                "DROP JOB IF EXISTS e",
                "DROP CONNECTION c CASCADE",
            ],
        );
        check(
            "CREATE JOB e AS INSERT INTO S3 c LOCATION = 's3://b/o/' SELECT FROM WHERE",
            &["error[syntax]"],
        );
    }

    #[test]
    fn alter_forms() {
        check(
            "ALTER S3 CONNECTION c SET COMMENT = 'x' SET READ_ONLY = FALSE",
            &["ALTER S3 CONNECTION c SET READ_ONLY = FALSE SET COMMENT = 'x'"],
        );
        check(
            "ALTER S3 CONNECTION c RENAME TO d",
            &["ALTER CONNECTION c RENAME TO d"],
        );
        check(
            "ALTER S3 CONNECTION c SET COMMENT = 'x' READ_ONLY = TRUE",
            &["error[syntax]"],
        );
        check("ALTER S3 CONNECTION c AWS_ROLE = 'x'", &["error[syntax]"]);
    }
}
