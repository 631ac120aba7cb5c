//! Finding what a statement or a command names, one way for the session and for `connsql
//! credentials`: a connection or a job by name, with the closest existing name as "did you
//! mean" when there is none; the connection a job uses; and every catalog failure as a
//! diagnostic of its own kind at the place it stopped.

use super::{Catalog, CatalogError, StoredConnection, StoredJob};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::options::closest;
use crate::sql::{Ident, Span};

impl CatalogError {
    /// The failure as a diagnostic of its own kind, at `at`, with what to do about it.
    pub fn at(self, at: Span) -> Diagnostic {
        let mut diag = Diagnostic::error(self.kind(), at, self.to_string());
        if let Some(help) = self.help() {
            diag = diag.with_help(help);
        }
        diag
    }
}

impl Catalog {
    /// The connection `name` names, or `connection-not-found` with the closest name.
    pub fn find_connection(&mut self, name: &Ident) -> Result<StoredConnection, Diagnostic> {
        match self.connection(&name.value).map_err(|e| e.at(name.span))? {
            Some(found) => Ok(found),
            None => Err(self.missing_connection(name)),
        }
    }

    /// `connection-not-found` for `name`, with the closest existing name as "did you mean".
    pub fn missing_connection(&mut self, name: &Ident) -> Diagnostic {
        match self.names() {
            Ok(names) => not_found(
                DiagnosticKind::ConnectionNotFound,
                "connection",
                name,
                &names,
                "SHOW CONNECTIONS lists the connections of this catalog",
            ),
            Err(e) => e.at(name.span),
        }
    }

    /// The job `name` names, or `job-not-found` with the closest name.
    pub fn find_job(&mut self, name: &Ident) -> Result<StoredJob, Diagnostic> {
        if let Some(job) = self.job(&name.value).map_err(|e| e.at(name.span))? {
            return Ok(job);
        }
        let names = self.job_names().map_err(|e| e.at(name.span))?;
        Err(not_found(
            DiagnosticKind::JobNotFound,
            "job",
            name,
            &names,
            "SHOW JOBS lists the jobs of this catalog",
        ))
    }

    /// The connection `job` uses, as it is now.
    pub fn connection_of(
        &mut self,
        job: &StoredJob,
        at: Span,
    ) -> Result<StoredConnection, Diagnostic> {
        let name = Ident {
            span: at,
            ..Ident::new(job.connection_name.as_str())
        };
        self.find_connection(&name)
    }

    /// The job `name` names, which must use `connection`: a job is read through its own
    /// connection only, and otherwise the error names the one it uses.
    pub fn job_of(
        &mut self,
        name: &Ident,
        connection: &StoredConnection,
    ) -> Result<StoredJob, Diagnostic> {
        let job = self.find_job(name)?;
        if job.connection_id != connection.id {
            let of = Ident::new(job.connection_name.as_str());
            let conn = Ident::new(connection.name.as_str());
            return Err(Diagnostic::error(
                DiagnosticKind::NotForThisJob,
                name.span,
                format!("job {name} uses connection {of}, not {conn}"),
            )
            .with_help(format!("name job {name} with its own connection, {of}")));
        }
        Ok(job)
    }
}

/// `kind`, naming the closest of `names` as "did you mean" when one is close.
fn not_found(
    kind: DiagnosticKind,
    what: &str,
    name: &Ident,
    names: &[String],
    help: &str,
) -> Diagnostic {
    let diag = Diagnostic::error(kind, name.span, format!("{what} {name} does not exist"));
    match closest(&name.value, names.iter().map(String::as_str), 0.8) {
        Some(n) => diag.with_label(format!("did you mean {}?", Ident::new(n))),
        None => diag.with_help(help),
    }
}
