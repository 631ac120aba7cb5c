//! The editor's helper: completion that reads the statement typed so far (connection names
//! after `FROM S3` and `INTO S3`, job names after `DROP JOB`, job options inside a job
//! statement, connection options inside a connection statement) and highlighting.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::session::Session;
use crate::sql::Ident;
use crate::sql::job_spec::JobOption;
use crate::sql::lex::{self, Piece as Walked, TokenKind};
use crate::sql::options::{OptionDef, OptionKey};
use crate::sql::spec::ConnectionOption;
use crate::sql::words::KEYWORDS;

const DOT_NAMES: &[&str] = &[
    ".help",
    ".quit",
    ".exit",
    ".read",
    ".format",
    ".expanded",
    ".catalog",
];

/// Completion, highlighting and (lack of) hints for the editor.
pub struct ReplHelper {
    /// Connection names, refreshed after every statement.
    pub connections: Vec<String>,
    /// Job names, likewise.
    pub jobs: Vec<String>,
    /// The lines of an unfinished statement before the one being edited: completion reads
    /// its context from them too.
    pub pending: String,
    pub color: bool,
}

impl ReplHelper {
    pub fn new(session: &mut Session, color: bool) -> ReplHelper {
        let mut helper = ReplHelper {
            connections: Vec::new(),
            jobs: Vec::new(),
            pending: String::new(),
            color,
        };
        helper.refresh(session);
        helper
    }

    /// Re-reads the names after a statement ran.
    pub fn refresh(&mut self, session: &mut Session) {
        self.connections = session.connection_names();
        self.jobs = session.job_names();
    }
}

impl Helper for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
}

/// Completeness is decided by the statement splitter in `run`, line by line, so that every
/// line after the first can show the continuation prompt.
impl Validator for ReplHelper {}

/// What may come at the cursor, judged from the statement's words so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A connection that exists: `FROM S3 |`, `DROP CONNECTION |`, `FOR CONNECTION |`.
    Connection,
    /// A job that exists: `DROP JOB |`, `DESCRIBE JOB |`.
    Job,
    /// Inside `CREATE … JOB` or `ALTER JOB`: job options and keywords.
    JobOptions,
    /// Inside `CREATE S3 CONNECTION` or `ALTER S3 CONNECTION`: connection options and keywords.
    ConnectionOptions,
    /// Anything: keywords, names and options.
    Anything,
}

/// Reads the slot from the significant tokens of the current statement, upper-cased.
fn slot(before: &str) -> Slot {
    let start = last_statement_start(before);
    let words: Vec<String> = lex::walk(before, start)
        .filter(|w| !matches!(w.piece, Walked::Blank))
        .map(|w| w.text.to_ascii_uppercase())
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let first = w.first().copied().unwrap_or("");
    let creates = first == "CREATE";
    match w.as_slice() {
        [.., "FROM" | "INTO", "S3"] => return Slot::Connection,
        [.., "FOR", "CONNECTION"] => return Slot::Connection,
        [.., "CONNECTION"] if !creates => return Slot::Connection,
        [.., "CONNECTION", "IF", "EXISTS"] if !creates => return Slot::Connection,
        [.., "JOB"] if !creates => return Slot::Job,
        [.., "JOB", "IF", "EXISTS"] if !creates => return Slot::Job,
        _ => {}
    }
    let has = |word: &str| w.contains(&word);
    // Options are written before `AS` (and after a COPY's connection); a SELECT has none.
    if has("JOB") && (creates || first == "ALTER") && !has("SELECT") {
        Slot::JobOptions
    } else if has("CONNECTION") && (creates || first == "ALTER") {
        Slot::ConnectionOptions
    } else {
        Slot::Anything
    }
}

/// Where the statement being typed begins: after the last `;` outside literals.
fn last_statement_start(text: &str) -> usize {
    let mut from = 0;
    while let Some(end) = crate::sql::split::statement_end(text, from) {
        from = end;
    }
    from
}

/// The candidates for `word`, given the text before it.
fn candidates(helper: &ReplHelper, before: &str, word: &str) -> Vec<Pair> {
    let mut out: Vec<Pair> = Vec::new();
    let mut add = |replacement: String, display: String| {
        if replacement
            .to_ascii_lowercase()
            .starts_with(&word.to_ascii_lowercase())
            && !out.iter().any(|p| p.replacement == replacement)
        {
            out.push(Pair {
                display,
                replacement,
            });
        }
    };
    let names = |add: &mut dyn FnMut(String, String), list: &[String]| {
        for name in list {
            let n = Ident::new(name.as_str()).to_string();
            add(n.clone(), n);
        }
    };
    fn options<K: OptionKey>(add: &mut dyn FnMut(String, String), table: &[OptionDef<K>]) {
        for def in table {
            add(
                def.name.to_string(),
                format!("{:<33} {}", def.name, def.summary),
            );
        }
    }
    let keywords = |add: &mut dyn FnMut(String, String)| {
        for k in KEYWORDS {
            add(k.to_string(), k.to_string());
        }
    };
    match slot(before) {
        Slot::Connection => {
            names(&mut add, &helper.connections);
            // `DROP CONNECTION IF EXISTS`, `SHOW JOBS FOR CONNECTION` still need a keyword.
            add("IF".into(), "IF".into());
        }
        Slot::Job => {
            names(&mut add, &helper.jobs);
            add("IF".into(), "IF".into());
        }
        Slot::JobOptions => {
            options(&mut add, JobOption::table());
            keywords(&mut add);
            names(&mut add, &helper.connections);
        }
        Slot::ConnectionOptions => {
            options(&mut add, ConnectionOption::table());
            keywords(&mut add);
        }
        Slot::Anything => {
            names(&mut add, &helper.connections);
            names(&mut add, &helper.jobs);
            keywords(&mut add);
            options(&mut add, ConnectionOption::table());
            options(&mut add, JobOption::table());
        }
    }
    out
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '"'))
            .map_or(0, |i| i + 1);
        let word = &line[start..pos];
        if start == 0 && self.pending.is_empty() && word.starts_with('.') {
            let out = DOT_NAMES
                .iter()
                .filter(|c| c.starts_with(word))
                .map(|c| Pair {
                    display: c.to_string(),
                    replacement: c.to_string(),
                })
                .collect();
            return Ok((start, out));
        }
        let before = format!("{}{}", self.pending, &line[..start]);
        Ok((start, candidates(self, &before, word)))
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// Keywords and option names (of connections and jobs) bold blue, strings green; the text
/// itself unchanged. Read through the shared token walker, so it agrees with the parser.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    for w in lex::walk(line, 0) {
        let keyword = w.is(TokenKind::Word)
            && (KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w.text))
                || ConnectionOption::from_name(w.text).is_some()
                || JobOption::from_name(w.text).is_some());
        match w.piece {
            _ if keyword => out.push_str(&format!("\x1b[1;34m{}\x1b[0m", w.text)),
            Walked::Token(TokenKind::String) | Walked::Unterminated(_) => {
                out.push_str(&format!("\x1b[32m{}\x1b[0m", w.text))
            }
            _ => out.push_str(w.text),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ReplHelper {
        ReplHelper {
            connections: vec!["lake".into(), "logs".into()],
            jobs: vec!["load_orders".into()],
            pending: String::new(),
            color: false,
        }
    }

    fn offered(before: &str, word: &str) -> Vec<String> {
        candidates(&helper(), before, word)
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn the_statement_so_far_decides_what_is_offered() {
        assert_eq!(slot("CREATE JOB j AS COPY FROM S3 "), Slot::Connection);
        assert_eq!(slot("create job j as insert into s3 "), Slot::Connection);
        assert_eq!(slot("DROP CONNECTION "), Slot::Connection);
        assert_eq!(slot("DROP CONNECTION IF EXISTS "), Slot::Connection);
        assert_eq!(slot("SHOW JOBS FOR CONNECTION "), Slot::Connection);
        assert_eq!(slot("DROP JOB "), Slot::Job);
        assert_eq!(slot("SHOW CREATE JOB "), Slot::Job);
        assert_eq!(slot("CREATE SYNC JOB j "), Slot::JobOptions);
        assert_eq!(slot("ALTER JOB j SET "), Slot::JobOptions);
        assert_eq!(slot("CREATE S3 CONNECTION c "), Slot::ConnectionOptions);
        assert_eq!(
            slot("SHOW CONNECTIONS; CREATE JOB j AS COPY FROM S3 "),
            Slot::Connection
        );
        assert_eq!(slot("DROP JOB j; "), Slot::Anything);
        assert_eq!(slot(""), Slot::Anything);
    }

    #[test]
    fn names_and_options_come_from_the_right_table() {
        assert_eq!(
            offered("CREATE JOB j AS COPY FROM S3 ", "l"),
            ["lake", "logs"]
        );
        assert_eq!(offered("DROP JOB ", "lo"), ["load_orders"]);
        let job = offered("CREATE JOB j ", "CONTENT");
        assert!(job.contains(&"CONTENT_TYPE".to_string()), "{job:?}");
        let conn = offered("CREATE S3 CONNECTION c ", "AWS");
        assert!(conn.contains(&"AWS_ROLE".to_string()), "{conn:?}");
        assert!(offered("CREATE S3 CONNECTION c ", "CONTENT").is_empty());
    }

    #[test]
    fn a_pending_line_gives_the_context() {
        let mut h = helper();
        h.pending = "CREATE JOB j\n  AS COPY FROM\n".into();
        let (_, got) = h
            .complete(
                "  S3 la",
                7,
                &Context::new(&rustyline::history::MemHistory::new()),
            )
            .unwrap();
        let got: Vec<_> = got.into_iter().map(|p| p.replacement).collect();
        assert_eq!(got, ["lake"]);
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "create s3 connection x COMMENT = 'hi";
        let plain = highlight(line)
            .replace("\x1b[1;34m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, line);
        assert!(highlight("CONTENT_TYPE").contains("\x1b[1;34m"));
    }
}
