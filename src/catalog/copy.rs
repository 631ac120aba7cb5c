//! `connsql catalog copy`: a whole catalog into another, of either engine — connections with
//! their secrets, jobs, history, validations and settings (the catalog id and the generated
//! external ID too, so trust policies stay valid) — in one transaction of the target. What the
//! reader may not read stays behind: a member of a team catalog copies no secret, and is told
//! which connections lack theirs. Grants and the credential audit name the source server's
//! roles and stay with it.

use std::path::Path;

use super::codec::COPY_TABLES;
use super::{Catalog, CatalogError, Result, is_postgres};

/// How many rows of each table were copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub connections: usize,
    pub jobs: usize,
    pub history: usize,
    pub validations: usize,
    /// Connections copied without their secrets, which the reader may not read.
    pub without_secrets: Vec<String>,
}

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}, and the settings",
            count(self.connections, "connection", "connections"),
            count(self.jobs, "job", "jobs"),
            count(self.history, "history entry", "history entries"),
            count(self.validations, "validation", "validations"),
        )?;
        if !self.without_secrets.is_empty() {
            let names: Vec<String> = self
                .without_secrets
                .iter()
                .map(|n| crate::sql::Ident::new(n.as_str()).to_string())
                .collect();
            write!(
                f,
                "; left out the secrets of {} (only the source's administrators may read them): {}",
                count(names.len(), "connection", "connections"),
                names.join(", ")
            )?;
        }
        Ok(())
    }
}

/// `connsql catalog copy FROM TO`: opens both (creating the target), copies, and returns the
/// counts with where from and where to (as shown: no password). A SQLite target that did not
/// exist before and a copy that failed leave no file behind.
pub fn copy(from: &Path, to: &Path, replace: bool) -> Result<(Copied, String, String)> {
    let mut source = Catalog::open(from)?;
    let new_file = !is_postgres(to) && !to.exists();
    let result = Catalog::open_or_create(to).and_then(|mut target| {
        let copied = source.copy_into(&mut target, replace)?;
        Ok((copied, target.location().to_string()))
    });
    match result {
        Ok((copied, target)) => Ok((copied, source.location().to_string(), target)),
        Err(e) => {
            if new_file {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
                }
            }
            Err(e)
        }
    }
}

impl Catalog {
    /// Copies everything of this catalog into `target`. A target that holds connections, jobs
    /// or history is refused unless `replace`, which empties it first.
    pub fn copy_into(&mut self, target: &mut Catalog, replace: bool) -> Result<Copied> {
        let held = target.names()?.len() + target.job_names()?.len() + target.history()?.len();
        if held > 0 && !replace {
            return Err(CatalogError::NotEmpty {
                path: target.location().place.clone().into(),
                rows: held,
            });
        }
        let tables = COPY_TABLES
            .iter()
            .map(|t| self.engine.export_rows(t).map(|rows| (t, rows)))
            .collect::<Result<Vec<_>>>()?;
        let without_secrets: Vec<String> = self
            .connections(None)?
            .into_iter()
            .filter(|c| !c.spec.withheld().is_empty())
            .map(|c| c.name)
            .collect();
        target.begin()?;
        let copied = (|| {
            target.engine.clear()?;
            let mut copied = Copied::default();
            for (table, rows) in &tables {
                target.engine.import_rows(table, rows)?;
                let n = rows.len();
                match table.name {
                    "connections" => copied.connections = n,
                    "jobs" => copied.jobs = n,
                    "history" => copied.history = n,
                    "validations" => copied.validations = n,
                    _ => {}
                }
            }
            copied.without_secrets = without_secrets;
            Ok(copied)
        })();
        match copied {
            Ok(c) => {
                target.commit()?;
                Ok(c)
            }
            Err(e) => {
                let _ = target.rollback();
                Err(e)
            }
        }
    }
}
