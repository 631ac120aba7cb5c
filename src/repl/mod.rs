//! The interactive loop (rustyline): prompts, multi-line statements, history with secrets
//! masked on disk, completion, highlighting and dot-commands. Every input goes through the
//! session's one entry point with the run options of the command line, as a batch does.

use std::io::{self, Write};
use std::path::PathBuf;

use rustyline::Editor;
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};

use crate::input::{Feed, Input, Item, Piece, ReaderFeed, Rest, StatementReader};
use crate::interrupt;
use crate::output::{Console, ErrLooks, Format, Printer, TableStyle, write_summary};
use crate::session::{RunOptions, RunSummary, Session};
use crate::sql::complete;
use crate::sql::job_spec::JobOption;
use crate::sql::options::OptionKey;
use crate::sql::redact::redact_text;
use crate::sql::spec::ConnectionOption;

mod helper;

use helper::ReplHelper;

pub const PROMPT: &str = "connsql> ";
pub const CONTINUATION: &str = "     ..> ";

const STATEMENTS: &str = "\
Statements end with ';' and may span lines. Ctrl-C cancels the statement being typed or run,
Ctrl-D exits.
  CREATE [OR REPLACE] S3 CONNECTION [IF NOT EXISTS] name option = value ...;
  ALTER S3 CONNECTION name SET option = value [SET ...];   ALTER CONNECTION name RENAME TO new;
  DROP CONNECTION [IF EXISTS] name;   VALIDATE CONNECTION name;   VALIDATE JOB name;
  VALIDATE CONNECTION name ON 's3://…' [FOR READ | WRITE | LIST | DELETE | ALL];
  SHOW AWS PROFILE FOR CONNECTION name [JOB job];   (for: connsql credentials name [--job job])
  SHOW CONNECTIONS [LIKE 'pattern'];  DESCRIBE CONNECTION name;  SHOW CREATE CONNECTION name;
  SHOW TRUST POLICY [FOR CONNECTION name];  SHOW S3 POLICY FOR CONNECTION name;
  DROP CONNECTION name [RESTRICT | CASCADE];   (CASCADE drops the jobs that use it)
  CREATE [OR REPLACE] [SYNC] JOB [IF NOT EXISTS] name [option = value ...]
      AS COPY FROM S3 connection LOCATION = 's3://…' INTO catalog.db.table;
  CREATE [SYNC] JOB name [option = value ...]
      AS INSERT INTO S3 connection LOCATION = 's3://…' [MAP_COLUMNS_BY_NAME] SELECT …;
  ALTER JOB name SET option = value;   DROP JOB [IF EXISTS] name;
  SHOW JOBS [LIKE 'pattern'] [FOR CONNECTION name];  DESCRIBE JOB name;  SHOW CREATE JOB name;
On a team catalog (PostgreSQL), administrators manage and members reference:
  GRANT ADMIN ON CATALOG TO role [, ...];   REVOKE ADMIN ON CATALOG FROM role [, ...];
  GRANT USAGE ON CATALOG | CONNECTION name TO role | PUBLIC [, ...];   (REVOKE … FROM)
  SHOW GRANTS [ON CATALOG | ON CONNECTION name | TO role];
  SHOW CREDENTIAL ISSUES [FOR CONNECTION name];   (administrators: who had credentials)";

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
    s.push_str("Job options (source options may also follow the connection):\n");
    for def in JobOption::table() {
        let mut line = format!("  {:<33} {}", def.name, def.summary);
        if !def.editable {
            line.push_str(" (fixed after CREATE)");
        }
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(DOT_COMMANDS);
    s
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
    /// How diagnostics look; its colour also decides the editor's highlighting.
    pub looks: ErrLooks,
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
        // Tab lists every candidate (an option with its summary), as a shell does, rather than
        // cycling through them one per press.
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(10_000)?
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper::new(session, self.looks.color)));
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
                    if complete::is_complete(&buffer) {
                        self.remember(&mut editor, &mut disk, buffer.trim_end());
                        self.execute(&buffer, session);
                        buffer.clear();
                        if let Some(h) = editor.helper_mut() {
                            h.refresh(session);
                        }
                    }
                    if let Some(h) = editor.helper_mut() {
                        h.pending.clone_from(&buffer);
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    buffer.clear();
                    if let Some(h) = editor.helper_mut() {
                        h.pending.clear();
                    }
                }
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
        let summary = self.run_feed(&mut Typed { pieces }, session);
        self.after(&summary, &mut io::stderr().lock());
    }

    /// One run of `feed`, printed as it goes.
    fn run_feed(&self, feed: &mut impl Feed, session: &mut Session) -> RunSummary {
        let mut printer = self.printer();
        let mut err = io::stderr().lock();
        let summary = {
            let mut console = Console {
                printer: &mut printer,
                err: &mut err,
                looks: self.looks,
            };
            session.run(feed, self.run, &mut console)
        };
        let _ = printer.flush();
        summary
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
        let summary = self.run_feed(&mut feed, session);
        let mut err = io::stderr().lock();
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
    fn help_lists_every_option_with_its_summary() {
        let help = help_text();
        for def in ConnectionOption::table() {
            assert!(
                help.contains(def.name) && help.contains(def.summary),
                "{}",
                def.name
            );
        }
        for def in JobOption::table() {
            assert!(
                help.contains(def.name) && help.contains(def.summary),
                "{}",
                def.name
            );
        }
    }
}
