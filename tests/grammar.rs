//! Runs `grammar/ok` and `grammar/err` against their snapshots (`.ast`, `.diag`).
//! `CONNSQL_BLESS=1 cargo test` rewrites the snapshots; review the diff like code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use connsql::sql::diagnostic::Source;
use connsql::sql::render::{Drawing, render};
use connsql::sql::{Statement, StatementKind, check, parse};

fn corpus(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("grammar")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .sql files in {}", root.display());
    files
}

/// Compares `actual` with the snapshot, or writes it when blessing; returns a failure message.
fn snapshot(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("CONNSQL_BLESS").is_some() {
        std::fs::write(path, actual).expect("write snapshot");
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => Some(format!(
            "{} is missing (run with CONNSQL_BLESS=1)",
            path.display()
        )),
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn ok_files_parse_check_and_round_trip() {
    let mut failures = Vec::new();
    for file in corpus("ok") {
        let text = std::fs::read_to_string(&file).expect("read");
        let (stmts, diags) = parse(&text);
        if !diags.is_empty() {
            failures.push(format!("{}: {diags:?}", file.display()));
            continue;
        }
        let mut dump = String::new();
        for stmt in &stmts {
            if let Err(errors) = check(stmt) {
                failures.push(format!("{}: check failed: {errors:?}", file.display()));
            }
            for printed in [stmt.to_string(), format!("{stmt:#}")] {
                let (again, diags) = parse(&printed);
                if diags.len() + again.len() != 1 || again[0] != *stmt {
                    failures.push(format!(
                        "{}: `{printed}` does not parse back to the same statement",
                        file.display()
                    ));
                }
            }
            dump.push_str(&format!("{stmt:#?}\n{stmt:#};\n\n"));
        }
        failures.extend(snapshot(&file.with_extension("ast"), &dump));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn err_files_fail_with_their_diagnostics() {
    let mut failures = Vec::new();
    for file in corpus("err") {
        let text = std::fs::read_to_string(&file).expect("read");
        let (stmts, mut diags) = parse(&text);
        for stmt in &stmts {
            match check(stmt) {
                Err(errors) => diags.extend(errors),
                Ok((_, warnings)) => diags.extend(warnings),
            }
        }
        diags.sort_by_key(|d| d.span.start);
        if !diags.iter().any(|d| d.is_error()) {
            failures.push(format!("{}: no error", file.display()));
            continue;
        }
        let name = relative(&file);
        let source = Source::new(&name, &text);
        let rendered: String = diags
            .iter()
            .map(|d| format!("{}\n", render(d, &source, Drawing::PLAIN)))
            .collect();
        failures.extend(snapshot(&file.with_extension("diag"), &rendered));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every production of `connsql.ebnf` appears in at least one `ok` file.
#[test]
fn ok_files_cover_the_grammar() {
    let mut seen = BTreeSet::new();
    for file in corpus("ok") {
        let text = std::fs::read_to_string(&file).expect("read");
        for stmt in parse(&text).0 {
            seen.extend(features(&stmt));
        }
    }
    let wanted = [
        "create",
        "create-or-replace",
        "create-if-not-exists",
        "alter",
        "rename",
        "drop",
        "drop-if-exists",
        "validate",
        "show-connections",
        "show-connections-like",
        "describe",
        "show-create",
        "show-trust",
        "show-trust-for",
        "show-s3-policy",
        "show-aws-profile",
        "validate-access",
        "validate-access-for",
        "validate-job",
        "show-aws-profile-job",
        "grant-admin",
        "revoke-admin",
        "grant-usage-catalog",
        "revoke-usage-catalog",
        "grant-usage-connection",
        "revoke-usage-connection",
        "grant-several-roles",
        "grant-public",
        "show-grants",
        "show-grants-catalog",
        "show-grants-connection",
        "show-grants-to",
        "show-credential-issues",
        "show-credential-issues-for",
        "quoted-name",
        "list",
        "boolean",
    ];
    // Every option of the table, too.
    let options = connsql::sql::spec::CONNECTION_OPTIONS
        .iter()
        .map(|d| d.name);
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .chain(options)
        .filter(|w| !seen.contains(*w))
        .collect();
    assert!(missing.is_empty(), "not covered by grammar/ok: {missing:?}");
}

fn features(stmt: &Statement) -> Vec<String> {
    let mut out = Vec::new();
    let name = stmt.connection_name();
    if name.is_some_and(|n| n.quoted) {
        out.push("quoted-name".to_string());
    }
    let mut options = |opts: &connsql::sql::ast::Options<connsql::sql::ConnectionOption>| {
        for o in &opts.0 {
            out.push(o.name.to_string());
            match o.value {
                connsql::sql::ast::Value::List(..) => out.push("list".into()),
                connsql::sql::ast::Value::Bool(..) => out.push("boolean".into()),
                _ => {}
            }
        }
    };
    let kind: &[&str] = match &stmt.kind {
        StatementKind::CreateConnection {
            or_replace,
            if_not_exists,
            options: o,
            ..
        } => {
            options(o);
            match (or_replace, if_not_exists) {
                (true, _) => &["create", "create-or-replace"],
                (_, true) => &["create", "create-if-not-exists"],
                _ => &["create"],
            }
        }
        StatementKind::AlterConnection { set, .. } => {
            options(set);
            &["alter"]
        }
        StatementKind::RenameConnection { .. } => &["rename"],
        StatementKind::DropConnection {
            if_exists,
            behavior,
            ..
        } => {
            if *if_exists {
                out.push("drop-if-exists".into());
            }
            match behavior {
                connsql::sql::ast::DropBehavior::Restrict => out.push("drop-restrict".into()),
                connsql::sql::ast::DropBehavior::Cascade => out.push("drop-cascade".into()),
                connsql::sql::ast::DropBehavior::Default => {}
            }
            &["drop"]
        }
        StatementKind::ValidateConnection { .. } => &["validate"],
        StatementKind::ValidateAccess { access: None, .. } => &["validate-access"],
        StatementKind::ValidateAccess {
            access: Some(_), ..
        } => &["validate-access-for"],
        StatementKind::ValidateJob { .. } => &["validate-job"],
        StatementKind::ShowConnections { like: Some(_) } => &["show-connections-like"],
        StatementKind::ShowConnections { like: None } => &["show-connections"],
        StatementKind::DescribeConnection { .. } => &["describe"],
        StatementKind::ShowCreateConnection { .. } => &["show-create"],
        StatementKind::ShowTrustPolicy {
            connection: Some(_),
        } => &["show-trust-for"],
        StatementKind::ShowTrustPolicy { connection: None } => &["show-trust"],
        StatementKind::ShowS3Policy { .. } => &["show-s3-policy"],
        StatementKind::ShowAwsProfile { job: None, .. } => &["show-aws-profile"],
        StatementKind::ShowAwsProfile { job: Some(_), .. } => &["show-aws-profile-job"],
        StatementKind::CreateJob(job) => {
            let mut kinds = vec!["create-job"];
            if job.sync {
                kinds.push("sync-job");
            }
            if job.or_replace {
                kinds.push("create-job-or-replace");
            }
            if job.if_not_exists {
                kinds.push("create-job-if-not-exists");
            }
            let job_options = job.options.0.iter().map(|o| o.name.to_string());
            let body: Vec<String> = match &job.body {
                connsql::sql::ast::JobStatementBody::Copy { source, .. } => {
                    kinds.push("copy-job");
                    source.0.iter().map(|o| o.name.to_string()).collect()
                }
                connsql::sql::ast::JobStatementBody::Insert {
                    target,
                    map_columns_by_name,
                    ..
                } => {
                    kinds.push("insert-job");
                    if *map_columns_by_name {
                        kinds.push("map-columns-by-name");
                    }
                    target.0.iter().map(|o| o.name.to_string()).collect()
                }
            };
            out.extend(job_options.chain(body));
            out.extend(kinds.iter().map(|s| s.to_string()));
            &[]
        }
        StatementKind::AlterJob { set, .. } => {
            out.extend(set.0.iter().map(|o| o.name.to_string()));
            &["alter-job"]
        }
        StatementKind::DropJob {
            if_exists: true, ..
        } => &["drop-job", "drop-job-if-exists"],
        StatementKind::DropJob { .. } => &["drop-job"],
        StatementKind::ShowJobs { like, connection } => match (like, connection) {
            (Some(_), Some(_)) => &["show-jobs-like", "show-jobs-for"],
            (Some(_), None) => &["show-jobs-like"],
            (None, Some(_)) => &["show-jobs-for"],
            (None, None) => &["show-jobs"],
        },
        StatementKind::DescribeJob { .. } => &["describe-job"],
        StatementKind::ShowCreateJob { .. } => &["show-create-job"],
        StatementKind::Grant {
            revoke,
            privilege,
            object,
            roles,
        } => {
            use connsql::sql::ast::{GrantObject, Grantee, Privilege};
            if roles.len() > 1 {
                out.push("grant-several-roles".into());
            }
            if roles.contains(&Grantee::Public) {
                out.push("grant-public".into());
            }
            match (revoke, privilege, object) {
                (false, Privilege::Admin, _) => &["grant-admin"],
                (true, Privilege::Admin, _) => &["revoke-admin"],
                (false, Privilege::Usage, GrantObject::Catalog) => &["grant-usage-catalog"],
                (true, Privilege::Usage, GrantObject::Catalog) => &["revoke-usage-catalog"],
                (false, Privilege::Usage, GrantObject::Connection(_)) => {
                    &["grant-usage-connection"]
                }
                (true, Privilege::Usage, GrantObject::Connection(_)) => {
                    &["revoke-usage-connection"]
                }
            }
        }
        StatementKind::ShowGrants { filter } => {
            use connsql::sql::ast::{GrantFilter, GrantObject};
            match filter {
                None => &["show-grants"],
                Some(GrantFilter::On(GrantObject::Catalog)) => &["show-grants-catalog"],
                Some(GrantFilter::On(GrantObject::Connection(_))) => &["show-grants-connection"],
                Some(GrantFilter::To(_)) => &["show-grants-to"],
            }
        }
        StatementKind::ShowCredentialIssues { connection: None } => &["show-credential-issues"],
        StatementKind::ShowCredentialIssues {
            connection: Some(_),
        } => &["show-credential-issues-for"],
    };
    out.extend(kind.iter().map(|s| s.to_string()));
    out
}
