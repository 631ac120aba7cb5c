//! Handlers of the statements that change connections: CREATE (OR REPLACE / IF NOT EXISTS),
//! ALTER … SET, RENAME, DROP and VALIDATE. Each validates before it writes, writes its change
//! and its history entry together, and returns what it did.

use super::outcome::{Executed, Object, Outcome, Proof, Status};
use super::{Session, catalog_diag, create};
use crate::catalog::{Catalog, CatalogError, Dependents, NewHistory};
use crate::clock::now;
use crate::sql::ast::DropBehavior;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Change, ConnectionSpec, Ident, Redacted, Span, Statement};

/// How many jobs a refusal names before it counts the rest.
pub(super) const NAMED: usize = 5;

/// "1 job", "3 jobs", or "more than 1000 jobs".
pub(super) fn jobs_count(d: &Dependents) -> String {
    match d.count {
        1 => "1 job".into(),
        _ if d.beyond_count() => format!("more than {} jobs", Dependents::COUNTED),
        n => format!("{n} jobs"),
    }
}

/// The first jobs by name, then "and N more" (or "and more than N more").
pub(super) fn named(d: &Dependents) -> String {
    let list = d
        .names
        .iter()
        .map(|n| Ident::new(n.as_str()).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if d.beyond_count() {
        return format!(
            "{list} and more than {} more",
            Dependents::COUNTED - d.names.len()
        );
    }
    match d.count.saturating_sub(d.names.len()) {
        0 => list,
        more => format!("{list} and {more} more"),
    }
}

impl Session {
    pub(super) fn create(
        &mut self,
        stmt: &Statement,
        or_replace: bool,
        if_not_exists: bool,
        name: &Ident,
        spec: ConnectionSpec,
    ) -> Result<Executed, Diagnostic> {
        let spec = self.resolved(spec, name.span)?;
        let catalog = self.writing(name.span)?;
        let found = create::find(
            catalog,
            create::Kind::Connection,
            name,
            or_replace,
            if_not_exists,
            create::Stored {
                get: &|c, n| c.connection(n),
                exists: &|c, n| c.exists(n),
            },
        )?;
        let existing = match found {
            create::Found::Done(report) => return Ok(*report),
            create::Found::Replace(current) if current.spec == spec => {
                return Ok(create::unchanged(
                    create::Kind::Connection,
                    name,
                    Status::Unchanged,
                    "the options are the same",
                ));
            }
            create::Found::Replace(current) => Some(current),
            create::Found::New => None,
        };
        if let Some(current) = &existing {
            self.keep_writers(stmt, name, current, &spec)?;
        }
        let proven = self.prove(stmt, &name.value, &spec)?;
        let text = Redacted(stmt).text();
        let catalog = self.writing(name.span)?;
        let status = catalog
            .atomically(|c| {
                let at = now();
                let (id, status, action) = match &existing {
                    Some(current) => {
                        c.update(current, &spec, at)?;
                        (current.id.clone(), Status::Replaced, "replace")
                    }
                    None => (
                        c.insert(&name.value, &spec, at)?.id,
                        Status::Created,
                        "create",
                    ),
                };
                record(c, action, &id, &name.value, &text, at)?;
                if let Some((proof, _)) = &proven {
                    c.record_validation(&id, &proof.record)?;
                }
                Ok::<_, CatalogError>(status)
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        Ok(with_proof(status, name, None, proven))
    }

    pub(super) fn alter(
        &mut self,
        stmt: &Statement,
        name: &Ident,
        changes: &[(Change, Span)],
    ) -> Result<Executed, Diagnostic> {
        let current = self.lookup(name)?;
        let next = current.spec.altered(changes)?;
        let next = self.resolved(next, name.span)?;
        if next == current.spec {
            return Ok(changed(Status::Unchanged, name, Some("no option changed")));
        }
        self.keep_writers(stmt, name, &current, &next)?;
        let proven = if next.credentials != current.spec.credentials {
            self.prove(stmt, &name.value, &next)?
        } else {
            None
        };
        let text = Redacted(stmt).text();
        self.writing(name.span)?
            .atomically(|c| {
                let at = now();
                c.update(&current, &next, at)?;
                record(c, "alter", &current.id, &name.value, &text, at)?;
                if let Some((proof, _)) = &proven {
                    c.record_validation(&current.id, &proof.record)?;
                }
                Ok::<_, CatalogError>(())
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        Ok(with_proof(Status::Altered, name, None, proven))
    }

    pub(super) fn rename(
        &mut self,
        stmt: &Statement,
        name: &Ident,
        new_name: &Ident,
    ) -> Result<Executed, Diagnostic> {
        let current = self.lookup(name)?;
        if new_name.value == name.value {
            return Ok(changed(
                Status::Unchanged,
                name,
                Some("the name is the same"),
            ));
        }
        let catalog = self.writing(name.span)?;
        if catalog
            .exists(&new_name.value)
            .map_err(|e| catalog_diag(e, new_name.span))?
        {
            return Err(Diagnostic::error(
                DiagnosticKind::ConnectionExists,
                new_name.span,
                format!("connection {new_name} already exists"),
            )
            .with_help("choose another name, or DROP CONNECTION the other one first"));
        }
        let text = Redacted(stmt).text();
        catalog
            .atomically(|c| {
                let at = now();
                c.rename(&current.id, &new_name.value, at)?;
                record(c, "rename", &current.id, &new_name.value, &text, at)
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        Ok(Executed::new(Outcome::Changed {
            status: Status::Renamed,
            object: Object::Connection(new_name.value.clone()),
            detail: Some(format!("renamed from {name}")),
            proof: None,
            dropped_jobs: Vec::new(),
        }))
    }

    pub(super) fn drop_connection(
        &mut self,
        stmt: &Statement,
        if_exists: bool,
        name: &Ident,
        behavior: DropBehavior,
    ) -> Result<Executed, Diagnostic> {
        let missing_catalog = matches!(self.catalog, super::CatalogSlot::Missing { .. });
        if missing_catalog && if_exists {
            return Ok(changed(Status::Skipped, name, Some("it does not exist")));
        }
        let catalog = self.reading(name.span)?;
        let Some(current) = catalog
            .connection(&name.value)
            .map_err(|e| catalog_diag(e, name.span))?
        else {
            if if_exists {
                return Ok(changed(Status::Skipped, name, Some("it does not exist")));
            }
            return Err(catalog.missing_connection(name));
        };
        let users = catalog
            .dependents(&current.id, false, NAMED)
            .map_err(|e| catalog_diag(e, name.span))?;
        if users.count > 0 && behavior != DropBehavior::Cascade {
            return Err(Diagnostic::error(
                DiagnosticKind::ConnectionInUse,
                name.span,
                format!(
                    "connection {name} is used by {}: {}",
                    jobs_count(&users),
                    named(&users)
                ),
            )
            .with_label("jobs reference it")
            .with_help(format!(
                "drop the jobs first (DROP JOB {}), or drop them with it: DROP CONNECTION {name} CASCADE",
                crate::sql::Ident::new(users.names[0].as_str())
            )));
        }
        let text = Redacted(stmt).text();
        let dropped = catalog
            .atomically(|c| {
                let at = now();
                let jobs = c.delete_jobs_of(&current.id)?;
                for (id, job) in &jobs {
                    record_object(c, "job", "drop", id, job, &text, at)?;
                }
                c.delete(&current.id)?;
                record(c, "drop", &current.id, &name.value, &text, at)?;
                Ok::<_, CatalogError>(jobs.into_iter().map(|(_, n)| n).collect::<Vec<_>>())
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        let mut executed = changed(Status::Dropped, name, None);
        if let Outcome::Changed { dropped_jobs, .. } = &mut executed.outcome {
            *dropped_jobs = dropped;
        }
        Ok(executed)
    }

    /// Refuses to make a connection read-only while jobs write to it.
    fn keep_writers(
        &mut self,
        stmt: &Statement,
        name: &Ident,
        current: &crate::catalog::StoredConnection,
        next: &ConnectionSpec,
    ) -> Result<(), Diagnostic> {
        if !next.read_only || current.spec.read_only {
            return Ok(());
        }
        let writers = self
            .writing(name.span)?
            .dependents(&current.id, true, NAMED)
            .map_err(|e| catalog_diag(e, name.span))?;
        if writers.count == 0 {
            return Ok(());
        }
        let at = stmt
            .option_span(crate::sql::ConnectionOption::ReadOnly)
            .unwrap_or(name.span);
        Err(Diagnostic::error(
            DiagnosticKind::ConnectionInUse,
            at,
            format!(
                "connection {name} cannot be made read-only: {} write to it: {}",
                jobs_count(&writers),
                named(&writers)
            ),
        )
        .with_label("jobs write through this connection")
        .with_help(format!(
            "drop or change those jobs first (DROP JOB {}), or keep READ_ONLY = FALSE",
            crate::sql::Ident::new(writers.names[0].as_str())
        )))
    }

    pub(super) fn validate_connection(
        &mut self,
        stmt: &Statement,
        name: &Ident,
    ) -> Result<Executed, Diagnostic> {
        let current = self.lookup(name)?;
        if !self.opts.validate {
            return Ok(changed(Status::Skipped, name, Some("--no-validate is set")));
        }
        let proven = self.prove(stmt, &name.value, &current.spec)?;
        if let Some((proof, _)) = &proven {
            self.writing(name.span)?
                .atomically(|c| c.record_validation(&current.id, &proof.record))
                .map_err(|e| catalog_diag(e, name.span))?;
        }
        Ok(with_proof(Status::Validated, name, None, proven))
    }
}

/// Appends a history entry about a connection.
fn record(
    c: &mut Catalog,
    action: &str,
    id: &str,
    name: &str,
    statement: &str,
    at: time::OffsetDateTime,
) -> Result<(), CatalogError> {
    record_object(c, "connection", action, id, name, statement, at)
}

/// Appends a history entry; `object` is `connection` or `job`.
pub(super) fn record_object(
    c: &mut Catalog,
    object: &str,
    action: &str,
    id: &str,
    name: &str,
    statement: &str,
    at: time::OffsetDateTime,
) -> Result<(), CatalogError> {
    c.record_history(NewHistory {
        at,
        action,
        object,
        connection_id: id,
        connection_name: name,
        statement,
    })
}

fn changed(status: Status, name: &Ident, detail: Option<&str>) -> Executed {
    Executed::new(Outcome::Changed {
        status,
        object: Object::Connection(name.value.clone()),
        detail: detail.map(str::to_string),
        proof: None,
        dropped_jobs: Vec::new(),
    })
}

fn with_proof(
    status: Status,
    name: &Ident,
    detail: Option<String>,
    proven: Option<(Proof, Vec<Diagnostic>)>,
) -> Executed {
    let (proof, warnings) = match proven {
        Some((proof, warnings)) => (Some(proof), warnings),
        None => (None, Vec::new()),
    };
    Executed {
        outcome: Outcome::Changed {
            status,
            object: Object::Connection(name.value.clone()),
            detail,
            proof,
            dropped_jobs: Vec::new(),
        },
        warnings,
    }
}
