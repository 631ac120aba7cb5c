//! The editor's helper: completion of what the parser looks for at the cursor (`sql::complete`:
//! keywords, connection and job names, options with their summaries, value words), and
//! highlighting. No grammar here.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::session::Session;
use crate::sql::complete::{self, Names};
use crate::sql::highlight::{Class, classify};

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
    /// The roles of a team catalog's server, likewise (none for a file).
    pub roles: Vec<String>,
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
            roles: Vec::new(),
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
        self.roles = session.role_names();
    }
}

impl Helper for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
}

/// Completeness is decided by the statement splitter in `run`, line by line, so that every
/// line after the first can show the continuation prompt.
impl Validator for ReplHelper {}

/// The candidates for `word`, given the text before it: what the parser looks for there
/// (`sql::complete`), an option shown with its summary.
fn candidates(helper: &ReplHelper, before: &str, word: &str) -> Vec<Pair> {
    let names = Names {
        connections: &helper.connections,
        jobs: &helper.jobs,
        roles: &helper.roles,
    };
    complete::candidates(before, word, names)
        .into_iter()
        .map(|c| Pair {
            display: match c.summary {
                Some(summary) => format!("{:<33} {summary}", c.replacement),
                None => c.replacement.clone(),
            },
            replacement: c.replacement,
        })
        .collect()
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
/// itself unchanged.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    for (text, class) in classify(line) {
        match class {
            Class::Keyword => out.push_str(&format!("\x1b[1;34m{text}\x1b[0m")),
            Class::String => out.push_str(&format!("\x1b[32m{text}\x1b[0m")),
            Class::Plain => out.push_str(text),
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
            roles: vec!["analyst".into()],
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
