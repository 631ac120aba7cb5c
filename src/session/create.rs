//! What `CREATE [OR REPLACE] … [IF NOT EXISTS] name` decides before anything is proven or
//! written, the same for a connection and a job: a new object; the stored one, to replace; or
//! nothing to do (it exists and `IF NOT EXISTS` keeps it), or an error (it exists).

use super::outcome::{Executed, Object, Outcome, Status};
use crate::catalog::{Catalog, Result as CatalogResult};
use crate::sql::Ident;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};

/// The kind of object a CREATE makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Connection,
    Job,
}

impl Kind {
    pub(super) fn object(self, name: &Ident) -> Object {
        match self {
            Kind::Connection => Object::Connection(name.value.clone()),
            Kind::Job => Object::Job(name.value.clone()),
        }
    }
}

/// What the CREATE found.
pub(super) enum Found<T> {
    /// No object of that name: create it.
    New,
    /// `OR REPLACE` of this stored object.
    Replace(T),
    /// Nothing to do: the report to give.
    Done(Box<Executed>),
}

/// How the stored object is read: whole (for `OR REPLACE`), or whether it exists at all.
pub(super) struct Stored<'a, T> {
    pub get: &'a dyn Fn(&mut Catalog, &str) -> CatalogResult<Option<T>>,
    pub exists: &'a dyn Fn(&mut Catalog, &str) -> CatalogResult<bool>,
}

/// Decides, inside the statement's write transaction, what the CREATE does.
pub(super) fn find<T>(
    catalog: &mut Catalog,
    kind: Kind,
    name: &Ident,
    or_replace: bool,
    if_not_exists: bool,
    stored: Stored<'_, T>,
) -> Result<Found<T>, Diagnostic> {
    let at = |e: crate::catalog::CatalogError| e.at(name.span);
    // Only OR REPLACE needs the stored object; the others only whether one exists.
    if or_replace {
        return Ok(match (stored.get)(catalog, &name.value).map_err(at)? {
            Some(current) => Found::Replace(current),
            None => Found::New,
        });
    }
    if !(stored.exists)(catalog, &name.value).map_err(at)? {
        return Ok(Found::New);
    }
    if if_not_exists {
        return Ok(Found::Done(Box::new(unchanged(
            kind,
            name,
            Status::Skipped,
            "it already exists",
        ))));
    }
    let (code, help) = match kind {
        Kind::Connection => (
            DiagnosticKind::ConnectionExists,
            "use CREATE OR REPLACE to overwrite it, CREATE … IF NOT EXISTS to keep it, \
             or ALTER S3 CONNECTION … SET to change one option",
        ),
        Kind::Job => (
            DiagnosticKind::JobExists,
            "use CREATE OR REPLACE JOB to redefine it, CREATE JOB IF NOT EXISTS to keep it, \
             or ALTER JOB … SET to change an option",
        ),
    };
    let what = kind.object(name).kind();
    Err(Diagnostic::error(code, name.span, format!("{what} {name} already exists")).with_help(help))
}

/// The report of a CREATE that changed nothing.
pub(super) fn unchanged(kind: Kind, name: &Ident, status: Status, detail: &str) -> Executed {
    Executed::new(Outcome::Changed {
        status,
        object: kind.object(name),
        detail: Some(detail.to_string()),
        proof: None,
        dropped_jobs: Vec::new(),
    })
}
