//! What a PostgreSQL write transaction keeps in the engine instead of asking or telling the
//! server at once: new rows (connections and their secrets, jobs, history), sent later as
//! multi-row INSERTs, and what the transaction knows while it holds the writer lock (which
//! names exist, the connections it read, whom a connection may serve). A batch then costs a
//! few round trips per window of statements instead of several per statement.

use std::collections::{HashMap, HashSet};

use crate::catalog::model::StoredConnection;

/// Names whose existence one transaction keeps at most: the maps only save round trips (a
/// name not in them is asked of the server), so a transaction of millions of CREATEs starts
/// them afresh rather than hold every name.
const LIMIT: usize = 65_536;

/// Which names of one table exist, as far as the open write transaction knows.
#[derive(Default)]
pub(super) struct Names {
    known: HashMap<String, bool>,
    /// The names the coming statements will ask about, read together at the first question.
    expected: Vec<String>,
}

impl Names {
    pub fn get(&self, name: &str) -> Option<bool> {
        self.known.get(name).copied()
    }

    pub fn expect(&mut self, names: Vec<String>) {
        self.expected = names;
    }

    /// The names to ask the server about with `name`: it, and the expected ones not known.
    pub fn to_ask(&self, name: &str) -> Vec<String> {
        let mut asked: Vec<String> = self
            .expected
            .iter()
            .filter(|n| *n != name && !self.known.contains_key(*n))
            .cloned()
            .collect();
        asked.push(name.to_string());
        asked
    }

    /// Notes the server's answer for `asked`: `found` exist, the others do not.
    pub fn answer(&mut self, asked: Vec<String>, found: &[String]) {
        let found: HashSet<&str> = found.iter().map(String::as_str).collect();
        for name in asked {
            let exists = found.contains(name.as_str());
            self.remember(name, exists);
        }
    }

    pub fn remember(&mut self, name: String, exists: bool) {
        if self.known.len() >= LIMIT {
            self.known.clear();
        }
        self.known.insert(name, exists);
    }

    pub fn forget(&mut self) {
        self.known.clear();
    }
}

/// What the open write transaction knows.
#[derive(Default)]
pub(super) struct Known {
    pub connections: Names,
    pub jobs: Names,
    /// Connections read in this transaction, by name; any change to a connection clears them.
    pub read: HashMap<String, StoredConnection>,
    /// Whether the role may use a connection, by id.
    pub usable: HashMap<String, bool>,
}

impl Known {
    /// After any change to connections: what was read of them may be stale.
    pub fn connections_changed(&mut self) {
        self.connections.forget();
        self.read.clear();
        self.usable.clear();
    }

    pub fn forget(&mut self) {
        self.connections_changed();
        self.jobs.forget();
    }
}

/// One table that rows wait for: its columns as an INSERT names them, and a cast for each
/// parameter (rows are sent as text).
pub(super) struct Table {
    pub into: &'static str,
    pub casts: &'static [&'static str],
}

pub(super) const CONNECTIONS: Table = Table {
    into: "connections (id, name, authentication, options, created_at, updated_at)",
    casts: &[""; 6],
};

pub(super) const SECRETS: Table = Table {
    into: "connection_secrets (connection_id, secrets)",
    casts: &[""; 2],
};

pub(super) const JOBS: Table = Table {
    into: "jobs (id, name, connection_id, kind, sync, writes, location, target, source_tables, \
           options, definition, created_at, updated_at, owner)",
    casts: &[
        "",
        "",
        "",
        "",
        "::boolean",
        "::boolean",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
};

pub(super) const HISTORY: Table = Table {
    into: "history (at, os_user, action, object, connection_id, connection_name, statement)",
    casts: &[""; 7],
};

/// Rows waiting to be sent; connections go before their secrets and jobs, which reference them.
#[derive(Default)]
pub(super) struct Rows {
    pub connections: Vec<[Option<String>; 6]>,
    pub secrets: Vec<[Option<String>; 2]>,
    pub jobs: Vec<[Option<String>; 14]>,
    pub history: Vec<[Option<String>; 7]>,
}

impl Rows {
    /// Rows other than history: what must reach the server before anything else is sent.
    pub fn waiting(&self) -> usize {
        self.connections.len() + self.secrets.len() + self.jobs.len()
    }

    pub fn clear(&mut self) {
        self.connections.clear();
        self.secrets.clear();
        self.jobs.clear();
        self.history.clear();
    }
}

/// `INSERT INTO table VALUES ($1, $2), ($3, $4)…` for `rows` rows.
pub(super) fn insert(table: &Table, rows: usize) -> String {
    let n = table.casts.len();
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = table
                .casts
                .iter()
                .enumerate()
                .map(|(c, cast)| format!("${}::text{cast}", r * n + c + 1))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    format!("INSERT INTO {} VALUES {}", table.into, values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insert_numbers_its_parameters_row_by_row_with_their_casts() {
        let sql = insert(&SECRETS, 2);
        assert_eq!(
            sql,
            "INSERT INTO connection_secrets (connection_id, secrets) VALUES \
             ($1::text, $2::text), ($3::text, $4::text)"
        );
        assert!(insert(&JOBS, 1).contains("$5::text::boolean, $6::text::boolean"));
    }

    #[test]
    fn names_ask_for_what_is_expected_and_not_known() {
        let mut names = Names::default();
        names.expect(vec!["a".into(), "b".into(), "c".into()]);
        names.remember("b".into(), true);
        assert_eq!(names.to_ask("c"), ["a", "c"]);
        names.answer(names.to_ask("c"), &["c".to_string()]);
        assert_eq!(names.get("a"), Some(false));
        assert_eq!(names.get("b"), Some(true));
        assert_eq!(names.get("c"), Some(true));
        assert_eq!(names.get("d"), None);
    }
}
