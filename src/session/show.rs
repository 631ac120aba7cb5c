//! Handlers of the statements that only read: SHOW CONNECTIONS, DESCRIBE, SHOW CREATE, the
//! policy documents and the AWS profile stanza. None of them creates a catalog.

use std::path::PathBuf;

use super::outcome::{Executed, Outcome};
use super::{Session, catalog_diag};
use crate::credentials::profile;
use crate::policy;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Credentials, Ident, Redacted, Span, Statement, StatementKind};

/// Where a new user who asks for the trust policy first goes next: the policy names the
/// catalog's external ID, and a read never creates the catalog that makes one.
const FIRST_TRUST_POLICY: &str = "the policy holds the catalog's external ID, made with the catalog: \
     create the connection (CREATE S3 CONNECTION lake AWS_ROLE = \
     'arn:aws:iam::<account>:role/<role name>'): until the role trusts you, its validation fails \
     and prints this policy, and the catalog keeps the ID; or create it with --no-validate, then \
     SHOW TRUST POLICY FOR CONNECTION lake. Or check --catalog / CONNSQL_CATALOG";

impl Session {
    pub(super) fn show_connections(&mut self, like: Option<&str>) -> Result<Executed, Diagnostic> {
        let all = self
            .reading(Span::default())?
            .connections(like)
            .map_err(|e| catalog_diag(e, Span::default()))?;
        Ok(Executed::new(Outcome::Connections(all)))
    }

    pub(super) fn describe(&mut self, name: &Ident) -> Result<Executed, Diagnostic> {
        let c = self.lookup(name)?;
        Ok(Executed::new(Outcome::Description(Box::new(c))))
    }

    pub(super) fn show_create(&mut self, name: &Ident) -> Result<Executed, Diagnostic> {
        let c = self.lookup(name)?;
        let create = Statement::new(StatementKind::CreateConnection {
            or_replace: false,
            if_not_exists: false,
            name: Ident::new(c.name.as_str()),
            options: c.spec.to_options(),
        });
        Ok(Executed::new(Outcome::CreateStatement {
            object: super::Object::Connection(c.name),
            text: format!("{:#};", Redacted(&create)),
        }))
    }

    pub(super) fn show_trust_policy(
        &mut self,
        stmt: &Statement,
        connection: Option<&Ident>,
    ) -> Result<Executed, Diagnostic> {
        let (conn_name, external_id) = match connection {
            Some(name) => {
                let c = self.lookup(name)?;
                match &c.spec.credentials {
                    Credentials::Role {
                        external_id: Some(id),
                        ..
                    } => (Some(c.name.clone()), id.clone()),
                    other => {
                        return Err(Diagnostic::error(
                            DiagnosticKind::MissingOption,
                            name.span,
                            format!(
                                "connection {name} does not assume a role ({} credentials)",
                                other.method()
                            ),
                        )
                        .with_help(
                            "a trust policy belongs to a role: ALTER S3 CONNECTION … SET AWS_ROLE = '…' first",
                        ));
                    }
                }
            }
            None => (
                None,
                self.reading(stmt.span)
                    .map_err(|missing| missing.with_help(FIRST_TRUST_POLICY))?
                    .settings()
                    .external_id
                    .clone(),
            ),
        };
        let (principal, warnings) = self.principal(stmt)?;
        // A team catalog's role assumptions name the person (SourceIdentity).
        let team = self.source_identity().is_some();
        Ok(Executed {
            outcome: Outcome::TrustPolicy {
                connection: conn_name,
                external_id: external_id.as_str().to_string(),
                policy: policy::trust_policy(&principal, external_id.as_str(), team),
            },
            warnings,
        })
    }

    pub(super) fn show_s3_policy(&mut self, name: &Ident) -> Result<Executed, Diagnostic> {
        let c = self.lookup(name)?;
        Ok(Executed::new(Outcome::S3Policy {
            policy: policy::s3_policy(&c.spec),
            connection: c.name,
        }))
    }

    /// The caller identity for a trust policy, or a placeholder (with a warning) offline.
    fn principal(&mut self, stmt: &Statement) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
        if !self.opts.validate {
            let warning = Diagnostic::warning(
                DiagnosticKind::AwsNoCredentials,
                stmt.span,
                "--no-validate: the principal is a placeholder",
            )
            .with_help(
                "replace <ACCOUNT_ID> with the account connsql runs as, or run without --no-validate",
            );
            return Ok(("arn:aws:iam::<ACCOUNT_ID>:root".into(), vec![warning]));
        }
        match self.validator.caller_arn() {
            Ok(arn) => Ok((arn, Vec::new())),
            Err(failure) => Err(Diagnostic {
                span: stmt.span,
                ..*failure.diagnostic
            }),
        }
    }
}

impl Session {
    /// `SHOW AWS PROFILE FOR CONNECTION name [JOB job]`: the `~/.aws/config` stanza whose
    /// `credential_process` is this binary, on this catalog.
    pub(super) fn show_aws_profile(
        &mut self,
        name: &Ident,
        job: Option<&Ident>,
    ) -> Result<Executed, Diagnostic> {
        let connection = self.lookup(name)?;
        let job = match job {
            Some(j) => Some(self.reading(j.span)?.job_of(j, &connection)?),
            None => None,
        };
        if let Some(refusal) = crate::credentials::nothing_to_hand_out(&connection, name.span) {
            return Err(refusal);
        }
        let catalog = match &self.catalog {
            super::CatalogSlot::Open(c) => PathBuf::from(&c.location().place),
            super::CatalogSlot::Missing { path, .. } => path.clone(),
        };
        let exe = std::env::current_exe().map_err(|e| {
            Diagnostic::error(
                DiagnosticKind::Catalog,
                name.span,
                format!("cannot tell where this connsql binary is: {e}"),
            )
        })?;
        let job_name = job.as_ref().map(|j| j.name.as_str());
        let profile = profile::profile_name(&connection.name, job_name);
        let config = profile::stanza(
            &profile,
            &exe,
            &crate::credentials::absolute(&catalog),
            &connection.name,
            job_name,
            self.validator.region().as_deref(),
        );
        Ok(Executed::new(Outcome::AwsProfile { profile, config }))
    }
}
