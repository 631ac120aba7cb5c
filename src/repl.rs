//! The interactive loop (rustyline): prompts, multi-line statements, history with secrets
//! masked on disk, completion, highlighting and dot-commands. Every input goes through the
//! session's one entry point with the run options of the command line, as a batch does.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::PathBuf;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::batch::{Console, ReaderFeed, write_summary};
use crate::input::{Input, Piece, StatementReader};
use crate::interrupt;
use crate::output::{Format, Printer, TableStyle};
use crate::session::{Feed, Item, Rest, RunOptions, RunSummary, Session};
use crate::sql::ast::KEYWORDS;
use crate::sql::lex::{self, Piece as Walked, TokenKind};
use crate::sql::options::OptionKey;
use crate::sql::redact::redact_text;
use crate::sql::spec::ConnectionOption;
use crate::sql::split::statement_end;

pub const PROMPT: &str = "connsql> ";
pub const CONTINUATION: &str = "     ..> ";

const STATEMENTS: &str = "\
Statements end with ';' and may span lines. Ctrl-C cancels the statement being typed or run,
Ctrl-D exits.
  CREATE [OR REPLACE] S3 CONNECTION [IF NOT EXISTS] name option = value ...;
  ALTER S3 CONNECTION name SET option = value [SET ...];   ALTER CONNECTION name RENAME TO new;
  DROP CONNECTION [IF EXISTS] name;   VALIDATE CONNECTION name;
  SHOW CONNECTIONS [LIKE 'pattern'];  DESCRIBE CONNECTION name;  SHOW CREATE CONNECTION name;
  SHOW TRUST POLICY [FOR CONNECTION name];  SHOW S3 POLICY FOR CONNECTION name;";

const DOT_COMMANDS: &str = "\
Dot-commands:
  .help           this text
  .read FILE      run the statements of FILE
  .format MODE    table, json or csv
  .expanded       one record per block in tables, on or off (also \\x)
  .catalog        which catalog, and where
  .quit           leave (also .exit, Ctrl-D)";

/// `.help`: statements, the options of the option table with their summaries, dot-commands.
pub fn help_text() -> String {
    let mut s = String::from(STATEMENTS);
    s.push_str("\nS3 connection options:\n");
    for def in ConnectionOption::table() {
        s.push_str(&format!("  {:<33} {}\n", def.name, def.summary));
    }
    s.push_str(DOT_COMMANDS);
    s
}

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
    names: Vec<String>,
    color: bool,
}

impl Helper for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
}

/// Completeness is decided by the statement splitter in `run`, line by line, so that every
/// line after the first can show the continuation prompt.
impl Validator for ReplHelper {}

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
        if start == 0 && word.starts_with('.') {
            for cmd in DOT_NAMES {
                add(cmd.to_string(), cmd.to_string());
            }
        } else {
            for name in &self.names {
                let n = crate::sql::Ident::new(name.as_str()).to_string();
                add(n.clone(), n);
            }
            for def in ConnectionOption::table() {
                add(
                    def.name.to_string(),
                    format!("{:<33} {}", def.name, def.summary),
                );
            }
            for k in KEYWORDS {
                add(k.to_string(), k.to_string());
            }
        }
        Ok((start, out))
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

/// Keywords and option names bold blue, strings green; the text itself unchanged. Read
/// through the shared token walker, so it agrees with the parser.
fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    for w in lex::walk(line, 0) {
        let keyword = w.is(TokenKind::Word)
            && (KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w.text))
                || ConnectionOption::from_name(w.text).is_some());
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

/// Whether `text` ends with a complete statement: a `;` outside literals, then only blanks.
pub fn is_complete(text: &str) -> bool {
    let mut last = None;
    let mut from = 0;
    while let Some(end) = statement_end(text, from) {
        last = Some(end);
        from = end;
    }
    last.is_some_and(|end| lex::is_blank(&text[end..]))
}

/// The statements of one submitted input, as one window.
struct Typed {
    pieces: Vec<Piece>,
}

impl Feed for Typed {
    fn window(&mut self, _max: usize) -> Vec<Item> {
        std::mem::take(&mut self.pieces)
            .into_iter()
            .map(Item::Statement)
            .collect()
    }

    fn rest(&mut self) -> Rest {
        match self.pieces.is_empty() {
            true => Rest::Nothing,
            false => Rest::Next(Item::Statement(self.pieces.remove(0))),
        }
    }
}

pub struct Repl {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
    pub expanded: bool,
    pub history: Option<PathBuf>,
    /// The run options of the command line: each submitted input (or `.read` file) is one run.
    pub run: RunOptions,
    /// Statements numbered across the session, for messages.
    pub seq: usize,
}

impl Repl {
    pub fn run(mut self, session: &mut Session) -> rustyline::Result<()> {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(10_000)?
            .build();
        let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper {
            names: session.connection_names(),
            color: self.color,
        }));
        // The editor's history holds what was typed, so a recalled line is the real text;
        // the file gets the same lines with secrets masked.
        let mut disk = FileHistory::new();
        if let Some(path) = &self.history {
            prepare_history_file(path);
            let _ = editor.load_history(path);
            let _ = disk.load(path);
        }
        let (place, exists) = session.catalog_location();
        println!(
            "connsql {} — catalog {place}{}. Type .help for help.",
            env!("CARGO_PKG_VERSION"),
            if exists { "" } else { " (not created yet)" }
        );
        if self.run.dry_run {
            println!("--dry-run: statements are checked and validated; nothing is written.");
        }
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() {
                PROMPT
            } else {
                CONTINUATION
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    if buffer.is_empty() && line.trim_start().starts_with(['.', '\\']) {
                        self.remember(&mut editor, &mut disk, line.trim());
                        if !self.dot_command(line.trim(), session) {
                            return Ok(());
                        }
                        continue;
                    }
                    if buffer.is_empty() && line.trim().is_empty() {
                        continue;
                    }
                    buffer.push_str(&line);
                    buffer.push('\n');
                    if is_complete(&buffer) {
                        self.remember(&mut editor, &mut disk, buffer.trim_end());
                        self.execute(&buffer, session);
                        buffer.clear();
                        if let Some(h) = editor.helper_mut() {
                            h.names = session.connection_names();
                        }
                    }
                }
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(ReadlineError::Eof) => {
                    if !buffer.trim().is_empty() {
                        eprintln!("(the unfinished statement was not run: it has no ';')");
                    }
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Adds an entry to the history: as typed in memory, secrets masked in the file.
    fn remember(
        &self,
        editor: &mut Editor<ReplHelper, FileHistory>,
        disk: &mut FileHistory,
        text: &str,
    ) {
        let _ = editor.add_history_entry(text);
        if let Some(path) = &self.history {
            let _ = disk.add(&redact_text(text));
            let _ = disk.append(path);
        }
    }

    fn printer(&self) -> Printer<io::StdoutLock<'static>> {
        Printer::new(
            io::stdout().lock(),
            self.format,
            self.quiet,
            TableStyle {
                terminal: true,
                expanded: self.expanded,
            },
        )
    }

    /// Runs one submitted input.
    fn execute(&mut self, text: &str, session: &mut Session) {
        let pieces = StatementReader::new(text.as_bytes(), "<repl>")
            .map(|mut p| {
                self.seq += 1;
                p.seq = self.seq;
                p
            })
            .collect();
        let mut feed = Typed { pieces };
        let mut printer = self.printer();
        let mut err = io::stderr().lock();
        let summary = {
            let mut console = Console {
                printer: &mut printer,
                err: &mut err,
                color: self.color,
            };
            session.run(&mut feed, self.run, &mut console)
        };
        let _ = printer.flush();
        self.after(&summary, &mut err);
    }

    /// What the REPL says after a run: a cancelled statement, or a catalog that went bad.
    fn after(&self, summary: &RunSummary, err: &mut impl Write) {
        if summary.interrupted.is_some() {
            interrupt::take();
            let _ = writeln!(
                err,
                "cancelled: the statement was stopped and nothing of it was written"
            );
        }
        if let Some(fatal) = &summary.fatal {
            let _ = writeln!(err, "connsql: {fatal}");
        }
    }

    /// Runs a dot-command; false means leave.
    fn dot_command(&mut self, line: &str, session: &mut Session) -> bool {
        let (cmd, arg) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(c, a)| (c, a.trim()));
        match cmd {
            ".quit" | ".exit" | ".q" | "\\q" => return false,
            ".help" | ".h" | "\\?" => println!("{}", help_text()),
            ".catalog" => {
                let (place, exists) = session.catalog_location();
                println!("{place}{}", if exists { "" } else { " (not created yet)" });
            }
            ".format" => match Format::parse(arg) {
                Some(f) => self.format = f,
                None => eprintln!("usage: .format table|json|csv"),
            },
            ".expanded" | "\\x" => match arg {
                "" => self.expanded = !self.expanded,
                "on" => self.expanded = true,
                "off" => self.expanded = false,
                _ => eprintln!("usage: .expanded [on|off]"),
            },
            ".read" if !arg.is_empty() => self.read(arg, session),
            ".read" => eprintln!("usage: .read FILE"),
            _ => eprintln!("unknown command {cmd}; .help lists the commands"),
        }
        if cmd == ".expanded" || cmd == "\\x" {
            println!(
                "expanded display is {}",
                if self.expanded { "on" } else { "off" }
            );
        }
        true
    }

    /// `.read FILE`: the file as one run, exactly as `-f FILE` would run it.
    fn read(&mut self, path: &str, session: &mut Session) {
        let mut feed = ReaderFeed::spawn(vec![Input::File(PathBuf::from(path))], self.run.window);
        let mut printer = self.printer();
        let mut err = io::stderr().lock();
        let summary = {
            let mut console = Console {
                printer: &mut printer,
                err: &mut err,
                color: self.color,
            };
            session.run(&mut feed, self.run, &mut console)
        };
        let _ = printer.flush();
        let _ = write_summary(&mut err, &summary, &self.run);
        self.after(&summary, &mut err);
    }
}

/// Creates the history file owner-only before rustyline writes to it.
fn prepare_history_file(path: &std::path::Path) {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent() {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    let _ = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness() {
        assert!(is_complete("SHOW CONNECTIONS;\n"));
        assert!(is_complete("SHOW CONNECTIONS; -- done\n"));
        assert!(!is_complete("CREATE S3 CONNECTION x\n"));
        assert!(!is_complete("CREATE S3 CONNECTION x COMMENT = 'a;\n"));
        assert!(!is_complete("SHOW CONNECTIONS; DROP CONNECTION x\n"));
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "create s3 connection x COMMENT = 'hi";
        let plain = highlight(line)
            .replace("\x1b[1;34m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, line);
    }

    #[test]
    fn help_lists_every_option_with_its_summary() {
        let help = help_text();
        for def in ConnectionOption::table() {
            assert!(
                help.contains(def.name) && help.contains(def.summary),
                "{}",
                def.name
            );
        }
    }
}
