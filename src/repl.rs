//! The interactive loop (rustyline): prompts, multi-line statements, history with secrets
//! masked, completion, highlighting and dot-commands. Statements go to the shared `Session`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::PathBuf;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::batch::{self, BatchOptions, Input};
use crate::input::StatementReader;
use crate::output::{Format, Printer};
use crate::session::{Session, catalog_diag};
use crate::sql::ast::KEYWORDS;
use crate::sql::diagnostic::render;
use crate::sql::lex::{self, TokenKind};
use crate::sql::options::OPTIONS;
use crate::sql::redact::redact_text;
use crate::sql::split::statement_end;

pub const PROMPT: &str = "connsql> ";
pub const CONTINUATION: &str = "     ..> ";

const HELP: &str = "\
Statements end with ';' and may span lines. Ctrl-C cancels the statement being typed, Ctrl-D exits.
  CREATE [OR REPLACE] S3 CONNECTION [IF NOT EXISTS] name option = value ...;
  ALTER S3 CONNECTION name SET option = value [SET ...];   ALTER CONNECTION name RENAME TO new;
  DROP CONNECTION [IF EXISTS] name;   VALIDATE CONNECTION name;
  SHOW CONNECTIONS [LIKE 'pattern'];  DESCRIBE CONNECTION name;  SHOW CREATE CONNECTION name;
  SHOW TRUST POLICY [FOR CONNECTION name];  SHOW S3 POLICY FOR CONNECTION name;
Dot-commands:
  .help           this text
  .read FILE      run the statements of FILE
  .format MODE    table, json or csv
  .catalog        where the catalog is
  .quit           leave (also .exit, Ctrl-D)";

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
        let mut add = |s: String| {
            if s.to_ascii_lowercase()
                .starts_with(&word.to_ascii_lowercase())
                && !out.iter().any(|p| p.replacement == s)
            {
                out.push(Pair {
                    display: s.clone(),
                    replacement: s,
                });
            }
        };
        if start == 0 && word.starts_with('.') {
            for cmd in [".help", ".quit", ".exit", ".read", ".format", ".catalog"] {
                add(cmd.to_string());
            }
        } else {
            for name in &self.names {
                add(crate::sql::Ident::new(name.as_str()).to_string());
            }
            for o in OPTIONS {
                add(o.name.to_string());
            }
            for k in KEYWORDS {
                add(k.to_string());
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

/// Keywords and option names bold blue, strings green; the text itself unchanged.
fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    let mut rest = line;
    loop {
        let after = lex::blanks(rest).map(|(r, ())| r).unwrap_or("");
        out.push_str(&rest[..rest.len() - after.len()]);
        rest = after;
        if rest.is_empty() {
            return out;
        }
        let Ok((next, (kind, raw))) = lex::token(rest) else {
            out.push_str(&format!("\x1b[32m{rest}\x1b[0m"));
            return out;
        };
        let keyword = kind == TokenKind::Word
            && (KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(raw))
                || OPTIONS.iter().any(|o| o.name.eq_ignore_ascii_case(raw)));
        match kind {
            _ if keyword => out.push_str(&format!("\x1b[1;34m{raw}\x1b[0m")),
            TokenKind::String => out.push_str(&format!("\x1b[32m{raw}\x1b[0m")),
            _ => out.push_str(raw),
        }
        rest = next;
    }
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

pub struct Repl {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
    pub history: Option<PathBuf>,
    pub batch: BatchOptions,
}

impl Repl {
    pub fn run(mut self, session: &mut Session) -> rustyline::Result<()> {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(10_000)?
            .build();
        let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper {
            names: session.catalog().names().unwrap_or_default(),
            color: self.color,
        }));
        if let Some(path) = &self.history {
            prepare_history_file(path);
            let _ = editor.load_history(path);
        }
        println!(
            "connsql {} — catalog {}. Type .help for help.",
            env!("CARGO_PKG_VERSION"),
            session.catalog().path().display()
        );
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() {
                PROMPT
            } else {
                CONTINUATION
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    if buffer.is_empty() && line.trim_start().starts_with('.') {
                        self.remember(&mut editor, line.trim());
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
                        self.remember(&mut editor, buffer.trim_end());
                        self.execute(&buffer, session);
                        buffer.clear();
                        if let Some(h) = editor.helper_mut() {
                            h.names = session.catalog().names().unwrap_or_default();
                        }
                    }
                }
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(ReadlineError::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Adds an entry to the history, secrets masked, and saves it at once.
    fn remember(&self, editor: &mut Editor<ReplHelper, FileHistory>, text: &str) {
        let _ = editor.add_history_entry(redact_text(text));
        if let Some(path) = &self.history {
            let _ = editor.append_history(path);
        }
    }

    fn execute(&self, text: &str, session: &mut Session) {
        let mut printer = Printer {
            out: io::stdout().lock(),
            format: self.format,
            quiet: self.quiet,
            terminal: true,
        };
        let stderr = &mut io::stderr().lock();
        for piece in StatementReader::new(text.as_bytes(), "<repl>") {
            let result = match &piece.result {
                Ok(stmt) => session.execute(stmt),
                Err(diag) => Err(vec![diag.clone()]),
            };
            let source = piece.source();
            match result {
                Ok(executed) => {
                    for w in &executed.warnings {
                        let _ = writeln!(stderr, "{}", render(w, &source, self.color));
                    }
                    match session.catalog_mut().commit() {
                        Ok(()) => {
                            let _ = printer.print(&executed, false);
                        }
                        Err(e) => {
                            let _ = writeln!(stderr, "{}", catalog_diag(e));
                        }
                    }
                }
                Err(diags) => {
                    let _ = session.catalog_mut().rollback();
                    for d in &diags {
                        let _ = writeln!(stderr, "{}", render(d, &source, self.color));
                    }
                }
            }
        }
        let _ = printer.flush();
    }

    /// Runs a dot-command; false means leave.
    fn dot_command(&mut self, line: &str, session: &mut Session) -> bool {
        let (cmd, arg) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(c, a)| (c, a.trim()));
        match cmd {
            ".quit" | ".exit" | ".q" => return false,
            ".help" | ".h" => println!("{HELP}"),
            ".catalog" => println!("{}", session.catalog().path().display()),
            ".format" => match Format::parse(arg) {
                Some(f) => self.format = f,
                None => eprintln!("usage: .format table|json|csv"),
            },
            ".read" if !arg.is_empty() => {
                let mut printer = Printer {
                    out: io::stdout().lock(),
                    format: self.format,
                    quiet: self.quiet,
                    terminal: true,
                };
                let inputs = [Input::File(PathBuf::from(arg))];
                let result = batch::run(
                    session,
                    &inputs,
                    self.batch,
                    &mut printer,
                    &mut io::stderr().lock(),
                );
                session.remember_validations(false);
                if let Err(e) = result {
                    eprintln!("error: {e}");
                }
            }
            ".read" => eprintln!("usage: .read FILE"),
            _ => eprintln!("unknown command {cmd}; .help lists the commands"),
        }
        true
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
}
