//! General SQL inside a job, read by sqlparser in a dialect of ours where Upsolver's names
//! parse (`$event_time`, `$commit_time`): the `SELECT` of an `INSERT INTO S3` job (the tables it
//! reads recorded) and the expressions of `COLUMN_TRANSFORMATIONS`, with their errors pointed
//! into the script.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Query, SetExpr, Statement as SqlStatement, visit_relations};
use sqlparser::dialect::Dialect;
use sqlparser::parser::Parser;

use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::span::{LineIndex, Span};

/// Upsolver's SQL as sqlparser reads it: generic SQL where a name may start with `$`.
#[derive(Debug, Default)]
pub struct UpsolverDialect;

impl Dialect for UpsolverDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_alphabetic() || ch == '_' || ch == '$'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_alphanumeric() || ch == '_' || ch == '$'
    }

    fn supports_group_by_expr(&self) -> bool {
        true
    }
}

/// A checked query: its text as written (trimmed), sqlparser's canonical print of it (what
/// equality compares), and the tables it reads.
#[derive(Clone, Debug)]
pub struct Select {
    pub text: String,
    pub canonical: String,
    pub tables: Vec<String>,
    pub span: Span,
}

impl PartialEq for Select {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for Select {}

/// Where the query that starts at `start` ends: at its first `;` outside strings, quoted
/// names, comments and dollar-quoted bodies (read by the lexer every statement is split with,
/// which reads those as sqlparser does), or the end of the text. `None` when the text may
/// still grow and no end was found.
pub fn query_end(text: &str, start: usize, at_eof: bool) -> Option<usize> {
    match super::lex::next_semicolon(text, start) {
        super::lex::Semicolon::Found(after) => Some(after - 1),
        _ => at_eof.then_some(text.len()),
    }
}

/// The longest SELECT a job may hold. sqlparser's tree of a query takes about 250 bytes of
/// memory per byte of its text (a table in a FROM list is 1.7 KB of tree), so this bounds what
/// one statement may cost at about 65 MB; a real job's query is a few kilobytes.
pub const MAX_SELECT_BYTES: usize = 256 * 1024;

/// The deepest nesting of parentheses sqlparser is asked to read (its own limit is 50).
pub const MAX_NESTING: usize = 50;

/// The most operators an expression may chain without a parenthesis, comma or clause between
/// them: sqlparser builds (and drops, prints and walks) such a chain as a tree as deep as it is
/// long, one stack frame per level.
pub const MAX_CHAIN: usize = 1000;

/// Words that end an operator chain: a query's clauses and a CASE's branches.
const CHAIN_BREAKS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "JOIN",
    "ON",
    "USING",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "AS",
    "WITH",
    "WINDOW",
    "QUALIFY",
];

/// Refuses, before sqlparser reads it, a query nested or chained deeper than sqlparser can
/// build a tree for within a thread's stack, with the place to fix; a linear pass over the
/// lexer's tokens that allocates nothing.
fn too_deep(body: &str, start: usize, what: &str) -> Result<(), Diagnostic> {
    use super::lex::{Piece, TokenKind, walk};
    let mut depth = 0usize;
    // Operators chained at each open nesting level, innermost last: `AND`/`OR` apart from the
    // others, which bind tighter (`a = 1 AND b = 2` is a chain of two, each one deep).
    let mut chains: Vec<[usize; 2]> = vec![[0, 0]];
    let mut previous_operator = false;
    for w in walk(body, 0) {
        let at = Span::new(start + w.start, start + w.end());
        let mut chained = |class: usize| -> Result<(), Diagnostic> {
            let chain = chains.last_mut().map_or(0, |c| {
                c[class] += 1;
                c[class]
            });
            if chain > MAX_CHAIN {
                return Err(chain_too_long(at, what));
            }
            Ok(())
        };
        match w.piece {
            Piece::Token(TokenKind::LParen) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        DiagnosticKind::Syntax,
                        at,
                        format!("{what} nests parentheses more than {MAX_NESTING} deep"),
                    )
                    .with_label("this one is too deep")
                    .with_help("write it with fewer levels of parentheses"));
                }
                chains.push([0, 0]);
            }
            Piece::Token(TokenKind::RParen) => {
                depth = depth.saturating_sub(1);
                if chains.len() > 1 {
                    chains.pop();
                }
            }
            Piece::Token(TokenKind::Comma | TokenKind::Semi) => {
                if let Some(c) = chains.last_mut() {
                    *c = [0, 0];
                }
            }
            Piece::Token(TokenKind::Word) => {
                let logical =
                    w.text.eq_ignore_ascii_case("AND") || w.text.eq_ignore_ascii_case("OR");
                if CHAIN_BREAKS.iter().any(|k| w.text.eq_ignore_ascii_case(k)) {
                    if let Some(c) = chains.last_mut() {
                        *c = [0, 0];
                    }
                } else if logical {
                    chained(0)?;
                }
                previous_operator = logical;
                continue;
            }
            // A qualified name's dot is no operator.
            Piece::Token(TokenKind::Other) if w.text == "." => {}
            Piece::Token(TokenKind::Eq | TokenKind::Other) => {
                // A run of operator characters (`<=`, `||`) is one operator.
                if !previous_operator {
                    chained(1)?;
                }
                previous_operator = true;
                continue;
            }
            _ => {}
        }
        if !matches!(w.piece, Piece::Blank) {
            previous_operator = false;
        }
    }
    Ok(())
}

fn chain_too_long(at: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::Syntax,
        at,
        format!("{what} chains more than {MAX_CHAIN} operators in one expression"),
    )
    .with_label("this one is one too many")
    .with_help("split the expression, or group its terms in parentheses")
}

/// `text[span]` without its surrounding blanks, and where that starts in `text`.
fn trimmed(text: &str, span: Span) -> (&str, usize) {
    let body = &text[span.range()];
    let start = span.start + (body.len() - body.trim_start().len());
    (body.trim(), start)
}

/// Parses `text[span]` as one query. Errors point into the script.
pub fn parse_select(text: &str, span: Span) -> Result<Select, Diagnostic> {
    let (body, start) = trimmed(text, span);
    if body.len() > MAX_SELECT_BYTES {
        return Err(Diagnostic::error(
            DiagnosticKind::Syntax,
            Span::new(start, start + body.len().min(6)),
            format!(
                "the SELECT is {} KiB long; a job's SELECT may be at most {} KiB",
                body.len() / 1024,
                MAX_SELECT_BYTES / 1024
            ),
        )
        .with_label("this query is too long")
        .with_help("read fewer tables in one job, or build the query from views"));
    }
    too_deep(body, start, "the SELECT")?;
    let statements = Parser::new(&UpsolverDialect)
        .try_with_sql(body)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| sql_error(text, start, body, SELECT, &e.to_string()))?;
    let query = match statements.as_slice() {
        [SqlStatement::Query(q)] => q,
        [] => {
            return Err(Diagnostic::error(
                DiagnosticKind::Syntax,
                Span::new(start, start + body.len()),
                "INSERT INTO S3 needs a SELECT",
            )
            .with_help("write … LOCATION = 's3://…' SELECT … FROM …"));
        }
        [_] => {
            return Err(Diagnostic::error(
                DiagnosticKind::Syntax,
                Span::new(start, start + body.len()),
                "INSERT INTO S3 takes a query here, not another statement",
            )
            .with_help("write a SELECT (a WITH … SELECT works too)"));
        }
        _ => {
            return Err(Diagnostic::error(
                DiagnosticKind::Syntax,
                Span::new(start, start + body.len()),
                "one query per job",
            ));
        }
    };
    if !is_select(query) {
        return Err(Diagnostic::error(
            DiagnosticKind::Syntax,
            Span::new(start, start + body.len()),
            "INSERT INTO S3 takes a SELECT",
        ));
    }
    Ok(Select {
        text: body.to_string(),
        canonical: query.to_string(),
        tables: tables_read(query),
        span: Span::new(start, start + body.len()),
    })
}

/// Where sqlparser's errors are: the prefix of the message and the caret's label.
const SELECT: (&str, &str) = ("in the SELECT", "the query does not parse here");
const EXPRESSION: (&str, &str) = (
    "in COLUMN_TRANSFORMATIONS",
    "the expression does not parse here",
);

/// The longest expression one `COLUMN_TRANSFORMATIONS` entry may hold.
pub const MAX_EXPRESSION_BYTES: usize = 64 * 1024;

/// Parses `text[span]` as one SQL expression (a `COLUMN_TRANSFORMATIONS` entry's value) and
/// returns sqlparser's canonical print of it, which reads back to the same expression.
pub fn parse_expression(text: &str, span: Span) -> Result<String, Diagnostic> {
    let (body, start) = trimmed(text, span);
    if body.is_empty() {
        return Err(Diagnostic::error(
            DiagnosticKind::Syntax,
            span,
            "COLUMN_TRANSFORMATIONS needs an expression after `=`",
        )
        .with_help("write COLUMN_TRANSFORMATIONS = (email_hash = MD5(email), …)"));
    }
    if body.len() > MAX_EXPRESSION_BYTES {
        return Err(Diagnostic::error(
            DiagnosticKind::Syntax,
            Span::new(start, start + body.len().min(6)),
            format!(
                "the expression is {} KiB long; one transformation may be at most {} KiB",
                body.len() / 1024,
                MAX_EXPRESSION_BYTES / 1024
            ),
        ));
    }
    too_deep(body, start, "the expression")?;
    let mut parser = Parser::new(&UpsolverDialect)
        .try_with_sql(body)
        .map_err(|e| sql_error(text, start, body, EXPRESSION, &e.to_string()))?;
    let expr = parser
        .parse_expr()
        .map_err(|e| sql_error(text, start, body, EXPRESSION, &e.to_string()))?;
    let rest = parser.peek_token();
    if rest.token != sqlparser::tokenizer::Token::EOF {
        let at = position(
            body,
            &format!(
                "{}, Column: {}",
                rest.span.start.line, rest.span.start.column
            ),
        )
        .map_or(start, |o| start + o);
        return Err(Diagnostic::error(
            DiagnosticKind::Syntax,
            Span::new(at, start + body.len()),
            format!(
                "{}: the expression ends before `{}`",
                EXPRESSION.0, rest.token
            ),
        )
        .with_label("this is not part of the expression")
        .with_help("separate transformations with commas: (a = UPPER(x), b = MD5(y))"));
    }
    Ok(expr.to_string())
}

fn is_select(query: &Query) -> bool {
    matches!(
        *query.body,
        SetExpr::Select(_) | SetExpr::SetOperation { .. } | SetExpr::Query(_)
    )
}

/// The tables a query reads, in order of first mention, without the names its own `WITH`
/// defines.
fn tables_read(query: &Query) -> Vec<String> {
    let own: Vec<String> = query
        .with
        .iter()
        .flat_map(|w| {
            w.cte_tables
                .iter()
                .map(|c| c.alias.name.value.to_lowercase())
        })
        .collect();
    let own: HashSet<String> = own.into_iter().collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut tables: Vec<String> = Vec::new();
    let _ = visit_relations(query, |name| {
        let text = name.to_string();
        if !own.contains(&text.to_lowercase()) && seen.insert(text.clone()) {
            tables.push(text);
        }
        ControlFlow::<()>::Continue(())
    });
    tables
}

/// A sqlparser error as a diagnostic at its line and column in the script.
/// `what` says where (`in the SELECT`), `label` what did not parse there.
fn sql_error(
    text: &str,
    start: usize,
    body: &str,
    (what, label): (&str, &str),
    message: &str,
) -> Diagnostic {
    let (message, at) = match message.rsplit_once(" at Line: ") {
        Some((head, pos)) => (head, position(body, pos)),
        None => (message, None),
    };
    let message = message.trim_start_matches("sql parser error: ");
    // sqlparser places the error after the token it found; the caret belongs on that token,
    // which is the last occurrence of its text at or before that place.
    let found = message.rsplit_once("found: ").map(|(_, f)| f.trim());
    let at = match (found, at) {
        (Some("EOF"), _) => Some(body.len()),
        (Some(token), Some(after)) if !token.is_empty() => {
            let upto = &body[..(after + token.len()).min(body.len())];
            upto.to_ascii_lowercase()
                .rfind(&token.to_ascii_lowercase())
                .or(Some(after))
        }
        (_, at) => at,
    };
    let offset = at.map_or(start, |o| start + o);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(text.len(), |(i, _)| offset + i)
        .max(offset + 1)
        .min(text.len());
    Diagnostic::error(
        DiagnosticKind::Syntax,
        Span::new(offset.min(text.len()), end),
        format!("{what}: {message}"),
    )
    .with_label(label)
}

/// The byte offset in `body` of sqlparser's `L, Column: C` (1-based, characters).
fn position(body: &str, pos: &str) -> Option<usize> {
    let (line, column) = pos.split_once(", Column: ")?;
    let line: usize = line.trim().parse().ok()?;
    let column: usize = column
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    let index = LineIndex::new(body);
    let start = index.line_start(
        line.checked_sub(1)?
            .min(body.lines().count().saturating_sub(1)),
    );
    let offset = body[start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(body.len(), |(i, _)| start + i);
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sql: &str) -> Result<Select, Diagnostic> {
        parse_select(sql, Span::new(0, sql.len()))
    }

    #[test]
    fn upsolver_queries_parse_and_name_their_tables() {
        let s = check(
            "SELECT * FROM default_glue_catalog.db.t WHERE $event_time BETWEEN run_start_time() AND run_end_time()",
        )
        .unwrap();
        assert_eq!(s.tables, ["default_glue_catalog.db.t"]);
        let s = check(
            "WITH recent AS (SELECT * FROM db.orders) SELECT r.id, c.name FROM recent r JOIN db.customers c ON r.cid = c.id",
        )
        .unwrap();
        assert_eq!(s.tables, ["db.orders", "db.customers"]);
    }

    #[test]
    fn errors_point_into_the_text() {
        let sql = "  SELECT a,\n  FROM t WHERE";
        let err = check(sql).unwrap_err();
        assert_eq!(err.kind, DiagnosticKind::Syntax);
        assert!(err.message.starts_with("in the SELECT"), "{}", err.message);
        assert!(err.span.start > 2, "{:?}", err.span);
        assert!(check("DELETE FROM t").is_err());
    }

    #[test]
    fn a_semicolon_in_a_string_is_not_the_end() {
        let text = "SELECT 'a;b' FROM t; DROP JOB x;";
        assert_eq!(query_end(text, 0, true), Some(19));
    }
}
