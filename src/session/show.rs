//! Handlers of the statements that only read: SHOW CONNECTIONS, DESCRIBE, SHOW CREATE, and the
//! policy documents. None of them creates a catalog.

use super::outcome::{Executed, Outcome};
use super::{Session, catalog_diag};
use crate::aws::policy;
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Credentials, Ident, Redacted, Span, Statement, StatementKind};

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
                self.reading(stmt.span)?.settings().external_id.clone(),
            ),
        };
        let (principal, warnings) = self.principal(stmt)?;
        Ok(Executed {
            outcome: Outcome::TrustPolicy {
                connection: conn_name,
                external_id: external_id.as_str().to_string(),
                policy: policy::trust_policy(&principal, external_id.as_str()),
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
