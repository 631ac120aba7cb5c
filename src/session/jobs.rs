//! Handlers of the job statements: CREATE (OR REPLACE / IF NOT EXISTS), ALTER … SET, DROP, and
//! the reads. A job references an existing connection by identity; one that writes (INSERT INTO
//! S3) may not use a read-only connection; creating a job proves its connection as creating the
//! connection does.

use super::connections::record_object;
use super::outcome::{Executed, Object, Outcome, Status};
use super::{Session, catalog_diag, create};
use crate::catalog::{CatalogError, StoredConnection, StoredJob};
use crate::clock::now;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::job_spec::{JobOption, JobSpec, JobValue};
use crate::sql::{Ident, Redacted, Span, Statement, check};

impl Session {
    pub(super) fn create_job(
        &mut self,
        stmt: &Statement,
        or_replace: bool,
        if_not_exists: bool,
        name: &Ident,
        connection: &Ident,
        spec: JobSpec,
    ) -> Result<Executed, Diagnostic> {
        let conn = self.lookup(connection)?;
        self.require_usage(&conn, connection.span)?;
        if spec.writes() && conn.spec.read_only {
            return Err(Diagnostic::error(
                DiagnosticKind::ReadOnlyConnection,
                connection.span,
                format!("connection {connection} is read-only, and this job writes through it"),
            )
            .with_label("READ_ONLY = TRUE")
            .with_help(format!(
                "write through a connection that is not read-only, or ALTER S3 CONNECTION {connection} SET READ_ONLY = FALSE"
            )));
        }
        let catalog = self.writing(name.span)?;
        let found = create::find(
            catalog,
            create::Kind::Job,
            name,
            or_replace,
            if_not_exists,
            create::Stored {
                get: &|c, n| c.job(n),
                exists: &|c, n| c.job_exists(n),
            },
        )?;
        let existing = match found {
            create::Found::Done(report) => return Ok(*report),
            create::Found::Replace(job) if job.spec == spec && job.connection_id == conn.id => {
                return Ok(create::unchanged(
                    create::Kind::Job,
                    name,
                    Status::Unchanged,
                    "the definition is the same",
                ));
            }
            create::Found::Replace(job) => Some(job),
            create::Found::New => None,
        };
        if let Some(job) = &existing {
            self.require_owner(job, name.span)?;
        }
        let owner = self.owner(name.span)?;
        let proven = self.prove(stmt, &conn.name, &conn.spec)?;
        let text = Redacted(stmt).text();
        let status = self
            .writing(name.span)?
            .atomically(|c| {
                let at = now();
                let (id, status, action) = match &existing {
                    Some(job) => {
                        c.update_job(job, &conn, &spec, at)?;
                        (job.id.clone(), Status::Replaced, "replace")
                    }
                    None => (
                        c.insert_job(&name.value, &conn, &spec, &owner, at)?.id,
                        Status::Created,
                        "create",
                    ),
                };
                record_object(c, "job", action, &id, &name.value, &text, at)?;
                if let Some((proof, _)) = &proven {
                    c.record_job_validation(&id, proof.record.at)?;
                }
                Ok::<_, CatalogError>(status)
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        let (proof, warnings) = match proven {
            Some((proof, warnings)) => (Some(proof), warnings),
            None => (None, Vec::new()),
        };
        Ok(Executed {
            outcome: Outcome::Changed {
                status,
                object: Object::Job(name.value.clone()),
                detail: None,
                proof,
                dropped_jobs: Vec::new(),
            },
            warnings,
        })
    }

    pub(super) fn alter_job(
        &mut self,
        stmt: &Statement,
        name: &Ident,
        changes: &[(JobOption, JobValue, Span)],
    ) -> Result<Executed, Diagnostic> {
        let job = self.lookup_job(name)?;
        self.require_owner(&job, name.span)?;
        let kind = job.spec.kind();
        let mut next = job.spec.clone();
        for (key, value, span) in changes {
            if let Some(d) = check::applicability(*key, value, kind, *span, *span) {
                return Err(d);
            }
            next.options.insert(*key, value.clone());
        }
        if next == job.spec {
            return Ok(changed(Status::Unchanged, name, Some("no option changed")));
        }
        let conn = self.connection_of(&job, name.span)?;
        let text = Redacted(stmt).text();
        self.writing(name.span)?
            .atomically(|c| {
                let at = now();
                c.update_job(&job, &conn, &next, at)?;
                record_object(c, "job", "alter", &job.id, &name.value, &text, at)
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        Ok(changed(Status::Altered, name, None))
    }

    pub(super) fn drop_job(
        &mut self,
        stmt: &Statement,
        if_exists: bool,
        name: &Ident,
    ) -> Result<Executed, Diagnostic> {
        if matches!(self.catalog, super::CatalogSlot::Missing { .. }) && if_exists {
            return Ok(changed(Status::Skipped, name, Some("it does not exist")));
        }
        let found = self
            .reading(name.span)?
            .job(&name.value)
            .map_err(|e| catalog_diag(e, name.span))?;
        let job = match found {
            Some(job) => job,
            None if if_exists => {
                return Ok(changed(Status::Skipped, name, Some("it does not exist")));
            }
            None => self.lookup_job(name)?,
        };
        self.require_owner(&job, name.span)?;
        let text = Redacted(stmt).text();
        self.writing(name.span)?
            .atomically(|c| {
                c.delete_job(&job.id)?;
                record_object(c, "job", "drop", &job.id, &name.value, &text, now())
            })
            .map_err(|e| catalog_diag(e, name.span))?;
        Ok(changed(Status::Dropped, name, None))
    }

    pub(super) fn show_jobs(
        &mut self,
        like: Option<&str>,
        connection: Option<&Ident>,
    ) -> Result<Executed, Diagnostic> {
        let connection_id = match connection {
            Some(c) => Some(self.lookup(c)?.id),
            None => None,
        };
        let jobs = self
            .reading(Span::default())?
            .jobs(like, connection_id.as_deref())
            .map_err(|e| catalog_diag(e, Span::default()))?;
        Ok(Executed::new(Outcome::Jobs(jobs)))
    }

    pub(super) fn describe_job(&mut self, name: &Ident) -> Result<Executed, Diagnostic> {
        let job = self.lookup_job(name)?;
        Ok(Executed::new(Outcome::JobDescription(Box::new(job))))
    }

    pub(super) fn show_create_job(&mut self, name: &Ident) -> Result<Executed, Diagnostic> {
        let job = self.lookup_job(name)?;
        let statement =
            crate::sql::ast::CreateJob::of_spec(&job.spec, &job.name, &job.connection_name);
        Ok(Executed::new(Outcome::CreateStatement {
            object: Object::Job(job.name.clone()),
            text: format!("{:#};", Redacted(&statement.display())),
        }))
    }

    /// The stored job named `name`, or `job-not-found` with the closest name as "did you mean".
    pub(super) fn lookup_job(&mut self, name: &Ident) -> Result<StoredJob, Diagnostic> {
        self.reading(name.span)?.find_job(name)
    }

    pub(super) fn connection_of(
        &mut self,
        job: &StoredJob,
        at: Span,
    ) -> Result<StoredConnection, Diagnostic> {
        self.reading(at)?.connection_of(job, at)
    }
}

fn changed(status: Status, name: &Ident, detail: Option<&str>) -> Executed {
    Executed::new(Outcome::Changed {
        status,
        object: Object::Job(name.value.clone()),
        detail: detail.map(str::to_string),
        proof: None,
        dropped_jobs: Vec::new(),
    })
}
