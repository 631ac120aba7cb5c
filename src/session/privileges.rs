//! Who may do what (SPEC §9), as connsql explains it. The team catalog's server enforces every
//! rule itself (privileges, row-level security, functions with the owner's rights); these
//! checks only turn what it would refuse into an error that names the role, the object and the
//! `GRANT` an administrator would run. Also the grant statements' handlers and the audit's.

use super::outcome::{Executed, Outcome, Status};
use super::{CatalogSlot, Session, catalog_diag};
use crate::catalog::{Access, Standing, StoredConnection, StoredJob};
use crate::clock::now;
use crate::sql::ast::{GrantFilter, GrantObject, Grantee, Privilege};
use crate::sql::diagnostic::{Diagnostic, DiagnosticKind};
use crate::sql::{Ident, Plan, Redacted, Span, Statement};

/// What a plan asks of the role that runs it.
enum Need {
    /// Reading the catalog: a member.
    Member,
    /// Managing connections: an administrator; the words say what is managed.
    Admin(&'static str),
    /// Something only a team catalog has, for members.
    Team(&'static str),
    /// Something only a team catalog has, for administrators.
    TeamAdmin(&'static str),
}

fn need(plan: &Plan) -> Need {
    match plan {
        Plan::Create { .. } => Need::Admin("creating connections"),
        Plan::Alter { .. } => Need::Admin("changing connections"),
        Plan::Rename { .. } => Need::Admin("renaming connections"),
        Plan::Drop { .. } => Need::Admin("dropping connections"),
        Plan::Validate { .. } | Plan::ValidateAccess { .. } => {
            Need::Admin("validating connections")
        }
        Plan::Grant { .. } => Need::TeamAdmin("granting and revoking privileges"),
        Plan::ShowGrants { .. } => Need::Team("grants"),
        Plan::ShowCredentialIssues { .. } => Need::TeamAdmin("the audit of credential issues"),
        _ => Need::Member,
    }
}

/// How a role is written in a statement an administrator would run.
fn role_sql(role: &str) -> String {
    Ident::new(role).to_string()
}

impl Session {
    /// Who runs connsql, and what they may do. A catalog not created yet will be its
    /// creator's: they are its administrator.
    pub(super) fn access(&mut self, at: Span) -> Result<Access, Diagnostic> {
        match &mut self.catalog {
            CatalogSlot::Open(c) => c.access().map_err(|e| catalog_diag(e, at)),
            CatalogSlot::Missing { path, .. } => Ok(Access {
                role: crate::catalog::os_user().to_string(),
                standing: Standing::Admin,
                team: crate::catalog::is_postgres(path),
            }),
        }
    }

    /// Refuses a plan the role may not run, with what to ask an administrator for.
    pub(super) fn require(&mut self, stmt: &Statement, plan: &Plan) -> Result<(), Diagnostic> {
        let need = need(plan);
        let at = stmt.span;
        if matches!(self.catalog, CatalogSlot::Missing { .. }) {
            if let Need::Team(what) | Need::TeamAdmin(what) = need
                && !self.access(at)?.team
            {
                return Err(team_only(what, at));
            }
            // Whoever creates a catalog administers it; a read reports it missing itself.
            return Ok(());
        }
        let access = self.access(at)?;
        match (need, access.standing) {
            (Need::Team(what) | Need::TeamAdmin(what), _) if !access.team => {
                Err(team_only(what, at))
            }
            (_, Standing::Outsider) => Err(not_a_member(&access.role, at)),
            (Need::Admin(what) | Need::TeamAdmin(what), Standing::Member) => {
                Err(not_an_admin(&access.role, what, at))
            }
            _ => Ok(()),
        }
    }

    /// Refuses a job change by a role that neither owns the job nor administers the catalog.
    pub(super) fn require_owner(&mut self, job: &StoredJob, at: Span) -> Result<(), Diagnostic> {
        let access = self.access(at)?;
        if access.standing == Standing::Admin || job.owner == access.role {
            return Ok(());
        }
        Err(Diagnostic::error(
            DiagnosticKind::NotJobOwner,
            at,
            format!(
                "job {} belongs to {}: only its owner or an administrator may change it",
                Ident::new(job.name.as_str()),
                role_sql(&job.owner)
            ),
        )
        .with_help(format!(
            "ask {} or an administrator; CREATE JOB a job of your own under another name",
            role_sql(&job.owner)
        )))
    }

    /// Refuses a job on a connection the role may not use.
    pub(super) fn require_usage(
        &mut self,
        connection: &StoredConnection,
        at: Span,
    ) -> Result<(), Diagnostic> {
        let access = self.access(at)?;
        if access.standing == Standing::Admin {
            return Ok(());
        }
        let allowed = match &mut self.catalog {
            CatalogSlot::Open(c) => c.may_use(&connection.id).map_err(|e| catalog_diag(e, at))?,
            CatalogSlot::Missing { .. } => true,
        };
        if allowed {
            return Ok(());
        }
        let name = Ident::new(connection.name.as_str());
        Err(Diagnostic::error(
            DiagnosticKind::UsageRequired,
            at,
            format!(
                "role {} has no USAGE on connection {name}",
                role_sql(&access.role)
            ),
        )
        .with_label("a job needs USAGE on its connection")
        .with_help(format!(
            "ask an administrator to run: GRANT USAGE ON CONNECTION {name} TO {};",
            role_sql(&access.role)
        )))
    }

    /// The role that owns what this run creates: the catalog role, or the OS user of a file.
    pub(super) fn owner(&mut self, at: Span) -> Result<String, Diagnostic> {
        Ok(self.access(at)?.role)
    }

    /// `SourceIdentity` for the role assumptions of a team catalog: the catalog role, so
    /// CloudTrail (and every session chained from it) names the person. A file's calls carry
    /// none, so roles that do not allow `sts:SetSourceIdentity` go on working.
    pub(super) fn source_identity(&mut self) -> Option<String> {
        if let Some(known) = &self.identity {
            return known.clone();
        }
        let identity = match &mut self.catalog {
            CatalogSlot::Open(c) => c
                .access()
                .ok()
                .filter(|a| a.team)
                .map(|a| crate::validation::source_identity(&a.role)),
            CatalogSlot::Missing { .. } => return None,
        };
        self.identity = Some(identity.clone());
        identity
    }

    /// `GRANT` / `REVOKE`: each role must exist on the server (or be PUBLIC).
    pub(super) fn grant(
        &mut self,
        stmt: &Statement,
        revoke: bool,
        privilege: Privilege,
        object: &GrantObject,
        roles: &[Grantee],
    ) -> Result<Executed, Diagnostic> {
        let connection = match object {
            GrantObject::Catalog => None,
            GrantObject::Connection(name) => Some(self.lookup(name)?),
        };
        let at = stmt.span;
        let catalog = self.writing(at)?;
        let known = catalog.roles().map_err(|e| catalog_diag(e, at))?;
        for grantee in roles {
            if let Grantee::Role(role) = grantee
                && !known.contains(&role.value)
            {
                return Err(unknown_role(role, &known));
            }
        }
        let connection_id = connection.as_ref().map(|c| c.id.clone());
        let text = Redacted(stmt).text();
        let (history_id, history_name, object_kind) = match &connection {
            Some(c) => (c.id.clone(), c.name.clone(), "connection"),
            None => (String::new(), String::new(), "catalog"),
        };
        let changed = catalog
            .atomically(|c| {
                let at = now();
                let mut changed = Vec::new();
                for grantee in roles {
                    let done = if revoke {
                        c.revoke(privilege, connection_id.as_deref(), grantee.name())?
                    } else {
                        c.grant(privilege, connection_id.as_deref(), grantee.name(), at)?
                    };
                    if done {
                        changed.push(grantee.name().to_string());
                    }
                }
                if !changed.is_empty() {
                    c.record_history(crate::catalog::NewHistory {
                        at,
                        action: if revoke { "revoke" } else { "grant" },
                        object: object_kind,
                        connection_id: &history_id,
                        connection_name: &history_name,
                        statement: &text,
                    })?;
                }
                Ok::<_, crate::catalog::CatalogError>(changed)
            })
            .map_err(|e| catalog_diag(e, at))?;
        let status = match (changed.is_empty(), revoke) {
            (true, _) => Status::Unchanged,
            (false, false) => Status::Granted,
            (false, true) => Status::Revoked,
        };
        let detail = changed.is_empty().then(|| {
            if revoke {
                "no role held it".to_string()
            } else {
                "every role held it already".to_string()
            }
        });
        Ok(Executed::new(Outcome::Grant {
            status,
            privilege,
            connection: connection.map(|c| c.name),
            roles: roles.iter().map(|r| r.name().to_string()).collect(),
            detail,
        }))
    }

    pub(super) fn show_grants(
        &mut self,
        filter: Option<&GrantFilter>,
    ) -> Result<Executed, Diagnostic> {
        let connection = match filter {
            Some(GrantFilter::On(GrantObject::Connection(name))) => Some(self.lookup(name)?),
            _ => None,
        };
        let mut grants = self
            .reading(Span::default())?
            .grants()
            .map_err(|e| catalog_diag(e, Span::default()))?;
        match filter {
            None => {}
            Some(GrantFilter::On(GrantObject::Catalog)) => {
                grants.retain(|g| g.connection.is_none())
            }
            Some(GrantFilter::On(GrantObject::Connection(_))) => {
                let name = connection.map(|c| c.name);
                grants.retain(|g| g.connection == name)
            }
            Some(GrantFilter::To(grantee)) => grants.retain(|g| g.role == grantee.name()),
        }
        Ok(Executed::new(Outcome::Grants(grants)))
    }

    pub(super) fn show_credential_issues(
        &mut self,
        connection: Option<&Ident>,
    ) -> Result<Executed, Diagnostic> {
        let id = match connection {
            Some(name) => Some(self.lookup(name)?.id),
            None => None,
        };
        let issues = self
            .reading(Span::default())?
            .issues(id.as_deref())
            .map_err(|e| catalog_diag(e, Span::default()))?;
        Ok(Executed::new(Outcome::CredentialIssues(issues)))
    }
}

fn team_only(what: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::TeamCatalogOnly,
        at,
        format!("{what}: a SQLite catalog has none, it belongs to the OS user who owns its file"),
    )
    .with_help(
        "grants need a team catalog: --catalog postgresql://… (connsql catalog copy moves this one there)",
    )
}

pub(super) fn not_a_member(role: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::NotAMember,
        at,
        format!("role {} is not a member of this catalog", role_sql(role)),
    )
    .with_help(format!(
        "ask an administrator to run: GRANT USAGE ON CATALOG TO {};",
        role_sql(role)
    ))
}

fn not_an_admin(role: &str, what: &str, at: Span) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::AdminRequired,
        at,
        format!(
            "role {} is a member of this catalog, not an administrator: {what} is for administrators",
            role_sql(role)
        ),
    )
    .with_help(format!(
        "ask an administrator to do it, or to run: GRANT ADMIN ON CATALOG TO {};",
        role_sql(role)
    ))
}

fn unknown_role(role: &Ident, known: &[String]) -> Diagnostic {
    let mut diag = Diagnostic::error(
        DiagnosticKind::RoleNotFound,
        role.span,
        format!("role {role} does not exist on the catalog's server"),
    );
    let closest = known
        .iter()
        .map(|k| (strsim::levenshtein(k, &role.value), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min();
    diag = match closest {
        Some((_, k)) => diag.with_label(format!("did you mean {}?", role_sql(k))),
        None => diag,
    };
    diag.with_help(
        "grants name the server's roles: CREATE ROLE … LOGIN first (psql, as a role with CREATEROLE), or PUBLIC for every role",
    )
}
