//! `VALIDATE CONNECTION … ON … FOR` and `VALIDATE JOB`: S3 actions proven with a connection's
//! credentials, one row each. A refused action is a row with status `denied` and a warning
//! that says which statement to add to which policy; the statement itself succeeds, since the
//! rows are its answer.

use super::outcome::{Executed, Outcome};
use super::{Session, catalog_diag, failure_diag};
use crate::sql::ast::Access;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::sql::job_spec::JobKind;
use crate::sql::values::S3Path;
use crate::sql::{ConnectionSpec, Ident, Span, Statement};
use crate::validation::{S3Action, S3Check, S3Row, S3Status, ValidationRequest};

/// The actions `FOR …` names; without `FOR`, what the connection may do: reading and listing
/// for a `READ_ONLY` one, everything otherwise.
fn actions(access: Option<Access>, read_only: bool) -> Vec<S3Action> {
    match access {
        Some(Access::List) => vec![S3Action::List],
        Some(Access::Read) => vec![S3Action::Read],
        Some(Access::Write) => vec![S3Action::Write],
        Some(Access::Delete) => vec![S3Action::Delete],
        None if read_only => vec![S3Action::List, S3Action::Read],
        Some(Access::All) | None => vec![
            S3Action::List,
            S3Action::Read,
            S3Action::Write,
            S3Action::Delete,
        ],
    }
}

/// What a job needs of its location: listing and reading for `COPY FROM` (and deleting, with
/// `DELETE_FILES_AFTER_LOAD`), listing and writing for `INSERT INTO S3`.
fn job_actions(kind: JobKind, deletes: bool) -> Vec<S3Action> {
    match kind {
        JobKind::Copy if deletes => vec![S3Action::List, S3Action::Read, S3Action::Delete],
        JobKind::Copy => vec![S3Action::List, S3Action::Read],
        JobKind::Insert => vec![S3Action::List, S3Action::Write],
    }
}

impl Session {
    pub(super) fn validate_access(
        &mut self,
        stmt: &Statement,
        name: &Ident,
        location: &S3Path,
        at: Span,
        access: Option<Access>,
    ) -> Result<Executed, Diagnostic> {
        let connection = self.lookup(name)?;
        let mut actions = actions(access, connection.spec.read_only);
        // Jobs may not write through a READ_ONLY connection, whatever the role allows: those
        // checks are skipped and said so, rather than proven and advised on.
        let skipped: Vec<S3Action> = actions
            .iter()
            .copied()
            .filter(|a| {
                connection.spec.read_only && matches!(a, S3Action::Write | S3Action::Delete)
            })
            .collect();
        actions.retain(|a| !skipped.contains(a));
        let mut executed = if actions.is_empty() {
            Executed::new(Outcome::Access(Vec::new()))
        } else {
            self.prove_actions(stmt, &name.value, &connection.spec, location, &actions, at)?
        };
        if let Outcome::Access(rows) = &mut executed.outcome {
            rows.extend(skipped.into_iter().map(|action| S3Row {
                action,
                location: location.as_str().to_string(),
                status: S3Status::Skipped,
                detail: format!(
                    "not checked: connection {name} is READ_ONLY, so jobs may not {} it",
                    action.verb()
                ),
                diagnostic: None,
            }));
        }
        Ok(executed)
    }

    pub(super) fn validate_job(
        &mut self,
        stmt: &Statement,
        name: &Ident,
    ) -> Result<Executed, Diagnostic> {
        let job = self.lookup_job(name)?;
        self.require_owner(&job, name.span)?;
        let connection = self.connection_of(&job, name.span)?;
        self.require_usage(&connection, name.span)?;
        let location = job.spec.location();
        let path = S3Path::parse_location(&location)
            .map_err(|e| Diagnostic::error(DiagnosticKind::InvalidValue, name.span, e.message))?
            .0;
        let actions = job_actions(
            job.spec.kind(),
            job.spec.writes() && job.spec.kind() == JobKind::Copy,
        );
        let executed = self.prove_actions(
            stmt,
            &job.name,
            &connection.spec,
            &path,
            &actions,
            name.span,
        )?;
        let all_ok = matches!(&executed.outcome, Outcome::Access(rows)
            if !rows.is_empty() && rows.iter().all(|r| r.status == S3Status::Ok));
        if all_ok {
            let at = crate::clock::now();
            self.writing(name.span)?
                .atomically(|c| c.record_job_validation(&job.id, at))
                .map_err(|e| catalog_diag(e, name.span))?;
        }
        Ok(executed)
    }

    /// Runs `actions` on `location` with the connection's credentials; rows, and a warning for
    /// each one that did not work.
    fn prove_actions(
        &mut self,
        stmt: &Statement,
        name: &str,
        spec: &ConnectionSpec,
        location: &S3Path,
        actions: &[S3Action],
        at: Span,
    ) -> Result<Executed, Diagnostic> {
        if !self.opts.validate {
            return Err(Diagnostic::error(
                DiagnosticKind::AwsError,
                stmt.span,
                "VALIDATE calls AWS, and --no-validate is set",
            )
            .with_help("run it without --no-validate"));
        }
        if let Some(secret) = spec.withheld().first() {
            return Err(super::withheld(stmt, name, *secret));
        }
        let request = ValidationRequest {
            connection: name.to_string(),
            credentials: spec.credentials.clone(),
            s3: actions
                .iter()
                .map(|a| S3Check::Action(*a, location.clone()))
                .collect(),
            kms_key: spec.encryption_kms_key.clone(),
            source_identity: self.source_identity(),
        };
        let report = self
            .validate_one(&request)
            .map_err(|f| failure_diag(stmt, &f))?;
        let warnings = report
            .s3_rows
            .iter()
            .filter_map(|r| r.diagnostic.clone())
            .map(|d| Diagnostic {
                severity: Severity::Warning,
                span: at,
                ..d
            })
            .chain(report.warnings.iter().map(|w| Diagnostic {
                span: at,
                ..w.clone()
            }))
            .collect();
        Ok(Executed {
            outcome: Outcome::Access(report.s3_rows),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_for_a_read_only_connection_is_not_written_to() {
        assert_eq!(actions(None, true), [S3Action::List, S3Action::Read]);
        assert_eq!(actions(None, false).len(), 4);
        assert_eq!(actions(Some(Access::Write), true), [S3Action::Write]);
        assert_eq!(
            job_actions(JobKind::Insert, true),
            [S3Action::List, S3Action::Write]
        );
    }
}
