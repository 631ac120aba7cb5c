//! Administrators manage, members reference (SPEC §9), on a PostgreSQL server the tests start,
//! with roles that are not superusers: every rule through connsql, and through `psql` as the
//! member, where the server itself must refuse.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::util::{CI_ARN, CI_KEY, CI_SECRET, Emulator, Env, PgServer, pg_bin, standard_world};

const PASSWORD: &str = "member-password";
const ROLE: &str = "arn:aws:iam::123456789012:role/lake-reader";
const KEY_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A database with four roles of its own (roles are the server's, so their names are this
/// test's): `admin` creates the catalog; `alice` and `bob` become members; `eve` never does.
struct Team {
    database: String,
    prefix: String,
}

impl Team {
    fn new() -> Team {
        static N: AtomicUsize = AtomicUsize::new(0);
        let server = PgServer::shared();
        let url = server.database();
        let database = url.rsplit('/').next().unwrap().to_string();
        let prefix = format!(
            "p{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut client =
            postgres::Client::connect(&format!("{}/postgres", server.base), postgres::NoTls)
                .expect("connect");
        for who in ["admin", "alice", "bob", "eve"] {
            client
                .batch_execute(&format!(
                    "CREATE ROLE {prefix}_{who} LOGIN PASSWORD '{PASSWORD}' NOSUPERUSER NOCREATEROLE"
                ))
                .expect("create role");
        }
        client
            .batch_execute(&format!(
                "GRANT CREATE ON DATABASE {database} TO {prefix}_admin"
            ))
            .expect("grant create");
        Team { database, prefix }
    }

    fn role(&self, who: &str) -> String {
        format!("{}_{who}", self.prefix)
    }

    /// The catalog URL as `who` (its password from PGPASSWORD, as libpq does).
    fn url(&self, who: &str) -> String {
        format!(
            "postgresql://{}@127.0.0.1:{}/{}",
            self.role(who),
            PgServer::shared().port,
            self.database
        )
    }

    /// connsql as `who`.
    fn env(&self, who: &str) -> Env {
        let mut env = Env::new();
        env.catalog = self.url(who).into();
        env.set("PGPASSWORD", PASSWORD);
        env
    }

    /// `psql` as `who`, one statement; its stdout, or its error.
    fn psql(&self, who: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(pg_bin("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url(who))
            .args(["-c", sql])
            .env("PGPASSWORD", PASSWORD)
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null())
            .output()
            .expect("psql");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// The catalog, made by `admin`: a role connection, a key connection, alice and bob members,
    /// alice with USAGE on `lake`.
    fn standard(&self) -> Env {
        let admin = self.env("admin");
        admin.sql(&format!(
            "CREATE S3 CONNECTION lake AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'; \
             CREATE S3 CONNECTION keys AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' \
                 AWS_SECRET_ACCESS_KEY = '{KEY_SECRET}'; \
             GRANT USAGE ON CATALOG TO {alice}, {bob}; \
             GRANT USAGE ON CONNECTION lake TO {alice};",
            alice = self.role("alice"),
            bob = self.role("bob"),
        ));
        admin
    }
}

#[test]
fn members_reference_what_administrators_manage() {
    let team = Team::new();
    let admin = team.standard();
    let (alice, bob, eve) = (team.env("alice"), team.env("bob"), team.env("eve"));
    let alice_role = team.role("alice");

    // Members read every connection, secrets masked as always.
    let shown = alice.sql("SHOW CONNECTIONS; DESCRIBE CONNECTION keys");
    assert!(
        shown.contains("lake") && shown.contains("AKIAIOSFODNN7EXAMPLE"),
        "{shown}"
    );
    assert!(
        shown.contains("********") && !shown.contains(KEY_SECRET),
        "{shown}"
    );

    // A member does not manage connections: the error names the role and the grant.
    for statement in [
        "CREATE S3 CONNECTION mine",
        "ALTER S3 CONNECTION lake SET COMMENT = 'x'",
        "ALTER CONNECTION lake RENAME TO pond",
        "DROP CONNECTION lake",
        "GRANT USAGE ON CONNECTION keys TO PUBLIC",
    ] {
        let run = alice.run(&["--no-validate", "-c", statement]);
        assert_eq!(run.code, 1, "{statement}: {}", run.stderr);
        assert!(
            run.stderr.contains("error[admin-required]"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("GRANT ADMIN ON CATALOG TO {alice_role};")),
            "{}",
            run.stderr
        );
    }

    // A member creates jobs on the connections it may use; they are its own.
    alice
        .sql("CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.orders");
    let jobs = alice.run(&["--format", "json", "-c", "SHOW JOBS"]);
    let jobs: serde_json::Value = serde_json::from_str(jobs.ok().trim()).unwrap();
    assert_eq!(jobs[0]["owner"], alice_role.as_str());

    // Without USAGE on the connection: the error says which grant is missing.
    let run = bob.run(&[
        "--no-validate",
        "-c",
        "CREATE JOB mine AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.b",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[usage-required]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "GRANT USAGE ON CONNECTION lake TO {};",
            team.role("bob")
        )),
        "{}",
        run.stderr
    );
    // Another member's job is not bob's to change.
    for statement in [
        "DROP JOB load",
        "ALTER JOB load SET COMMENT = 'mine now'",
        "CREATE OR REPLACE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/' INTO db.x",
    ] {
        let run = bob.run(&["--no-validate", "-c", statement]);
        assert_eq!(run.code, 1, "{statement}");
        assert!(run.stderr.contains("error["), "{}", run.stderr);
        assert!(
            run.stderr.contains("not-job-owner") || run.stderr.contains("usage-required"),
            "{statement}: {}",
            run.stderr
        );
    }
    // Its owner changes it; an administrator may drop it.
    alice.sql("ALTER JOB load SET COMMENT = 'nightly'");
    admin.sql("DROP JOB load");

    // A role that is no member: a clear error, never a raw server message.
    let run = eve.run(&["-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("role {} is not a member", team.role("eve"))),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("GRANT USAGE ON CATALOG TO {};", team.role("eve"))),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("permission denied") && !run.stderr.contains("does not exist"));

    // A grant names a role of the server: a near miss is offered.
    let typo = format!("{}_alcie", team.prefix);
    let run = admin.run(&["-c", &format!("GRANT USAGE ON CATALOG TO {typo}")]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[role-not-found]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("did you mean {alice_role}?")),
        "{}",
        run.stderr
    );

    // SHOW GRANTS lists them for members too.
    let grants = bob.run(&["--format", "json", "-c", "SHOW GRANTS ON CONNECTION lake"]);
    let grants: serde_json::Value = serde_json::from_str(grants.ok().trim()).unwrap();
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");
    assert_eq!(grants[0]["role"], alice_role.as_str());
    assert_eq!(grants[0]["privilege"], "USAGE");
    assert_eq!(grants[0]["granted_by"], team.role("admin").as_str());
    let json = admin.run(&[
        "--format",
        "json",
        "-c",
        &format!("REVOKE USAGE ON CONNECTION lake FROM {alice_role}"),
    ]);
    let json: serde_json::Value = serde_json::from_str(json.ok().trim()).unwrap();
    assert_eq!(json["status"], "revoked");
    assert_eq!(json["connection"], "lake");
}

#[test]
fn psql_as_a_member_gets_no_more_than_connsql_gives() {
    let team = Team::new();
    let admin = team.standard();
    let before = admin.sql("SHOW CONNECTIONS; SHOW GRANTS");
    let alice = team.role("alice");

    // No secret is readable, in any table, by a member or by a role that is none.
    for who in ["alice", "eve"] {
        let all = team
            .psql(
                who,
                "SELECT * FROM connsql.connections; SELECT * FROM connsql.connection_secrets; \
                 SELECT * FROM connsql.settings; SELECT * FROM connsql.credential_issues;",
            )
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        assert!(!all.contains(KEY_SECRET), "{who} read a secret: {all}");
        let secrets = team
            .psql(who, "SELECT count(*) FROM connsql.connection_secrets")
            .unwrap();
        assert_eq!(secrets.trim(), "0", "{who}");
    }
    // A member sees the connections (the secret's name, not its value); a non-member nothing.
    let seen = team
        .psql(
            "alice",
            "SELECT name, options FROM connsql.connections ORDER BY name",
        )
        .unwrap();
    assert!(
        seen.contains("keys|") && seen.contains("\"AWS_SECRET_ACCESS_KEY\":null"),
        "{seen}"
    );
    let none = team
        .psql("eve", "SELECT count(*) FROM connsql.connections")
        .unwrap();
    assert_eq!(none.trim(), "0");

    // Changing connections or grants: refused, or nothing to change.
    let refused = [
        "INSERT INTO connsql.connections (id, name, authentication, options, created_at, updated_at) \
         VALUES ('x', 'x', 'default', '{}', 'now', 'now')",
        "INSERT INTO connsql.connection_secrets VALUES ('x', '{}')",
        &format!(
            "INSERT INTO connsql.grants (privilege, role, granted_at) VALUES ('admin', '{alice}', 'now')"
        ),
        "INSERT INTO connsql.history (at, os_user, action, connection_id, connection_name, statement) \
         VALUES ('now', 'x', 'create', 'x', 'x', 'CREATE S3 CONNECTION x')",
        "TRUNCATE connsql.connections",
        "ALTER TABLE connsql.connections DISABLE ROW LEVEL SECURITY",
    ];
    for sql in refused {
        let err = team.psql("alice", sql).expect_err(sql);
        assert!(
            err.contains("row-level security")
                || err.contains("permission denied")
                || err.contains("must be owner"),
            "{sql}: {err}"
        );
    }
    for sql in [
        "UPDATE connsql.connections SET options = '{}'",
        "DELETE FROM connsql.connections",
        "UPDATE connsql.settings SET value = 'x'",
        "DELETE FROM connsql.grants",
    ] {
        let out = team
            .psql("alice", &format!("{sql} RETURNING 1"))
            .unwrap_or_default();
        assert_eq!(out.trim(), "", "{sql} changed rows: {out}");
    }
    // A job on a connection without USAGE, or in another's name: refused by the server.
    let id = team
        .psql(
            "alice",
            "SELECT id FROM connsql.connections WHERE name = 'keys'",
        )
        .unwrap();
    let job = |owner: &str, conn: &str| {
        format!(
            "INSERT INTO connsql.jobs (id, name, connection_id, kind, sync, writes, location, definition, \
             created_at, updated_at, owner) VALUES ('j', 'j', '{conn}', 'copy', false, false, 's3://b/', \
             'x', 'now', 'now', '{owner}')"
        )
    };
    let err = team
        .psql("alice", &job(&alice, id.trim()))
        .expect_err("no usage");
    assert!(err.contains("row-level security"), "{err}");
    let lake = team
        .psql(
            "alice",
            "SELECT id FROM connsql.connections WHERE name = 'lake'",
        )
        .unwrap();
    let err = team
        .psql("alice", &job(&team.role("bob"), lake.trim()))
        .expect_err("in bob's name");
    assert!(err.contains("row-level security"), "{err}");

    // Everything is as the administrator left it.
    assert_eq!(admin.sql("SHOW CONNECTIONS; SHOW GRANTS"), before);
}

#[test]
fn grants_and_revokes_hold_for_the_next_statement_of_another_process() {
    let team = Team::new();
    let admin = team.standard();
    let alice = team.env("alice");
    let create = |name: &str| {
        alice.run(&[
            "--no-validate",
            "-c",
            &format!(
                "CREATE JOB {name} AS COPY FROM S3 lake LOCATION = 's3://lake-raw/' INTO db.t"
            ),
        ])
    };
    create("first").ok();
    admin.sql(&format!(
        "REVOKE USAGE ON CONNECTION lake FROM {}",
        team.role("alice")
    ));
    let run = create("second");
    assert!(
        run.stderr.contains("error[usage-required]"),
        "{}",
        run.stderr
    );
    // Her job stays hers to drop while she is a member; once she is not, she reads nothing.
    admin.sql(&format!(
        "REVOKE USAGE ON CATALOG FROM {}",
        team.role("alice")
    ));
    let run = alice.run(&["-c", "SHOW JOBS"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a member"), "{}", run.stderr);
    admin.sql(&format!("GRANT USAGE ON CATALOG TO {}", team.role("alice")));
    alice.sql("DROP JOB first");
}

#[test]
fn a_revoke_racing_job_creation_never_leaves_a_job_made_after_it() {
    let team = Team::new();
    let admin = team.standard();
    let alice = team.env("alice");
    let script: String = (0..300)
        .map(|i| {
            format!(
                "CREATE JOB j{i:03} AS COPY FROM S3 lake LOCATION = 's3://lake-raw/' INTO db.t;\n"
            )
        })
        .collect();
    let file = alice.write("jobs.sql", &script);
    let creating = std::thread::spawn(move || {
        alice.run(&[
            "--no-validate",
            "--continue-on-error",
            "-f",
            file.to_str().unwrap(),
        ])
    });
    std::thread::sleep(std::time::Duration::from_millis(150));
    admin.sql(&format!(
        "REVOKE USAGE ON CONNECTION lake FROM {}",
        team.role("alice")
    ));
    let run = creating.join().unwrap();
    // History is in commit order (writers take turns): no job of hers after the revoke.
    let order = team
        .psql(
            "admin",
            "SELECT action || ' ' || object FROM connsql.history WHERE action IN ('create', 'revoke') \
             AND object IN ('job', 'connection') ORDER BY seq",
        )
        .unwrap();
    let lines: Vec<&str> = order.lines().collect();
    let revoke = lines
        .iter()
        .position(|l| *l == "revoke connection")
        .unwrap_or_else(|| panic!("{order}"));
    assert!(
        lines[revoke..].iter().all(|l| *l != "create job"),
        "a job was created after the revoke: {order}"
    );
    let refused = run.stderr.matches("error[usage-required]").count();
    let created = lines[..revoke]
        .iter()
        .filter(|l| **l == "create job")
        .count();
    assert_eq!(created + refused, 300, "{}", run.stderr);
}

#[test]
fn members_credentials_need_usage_name_the_person_and_are_audited() {
    let emulator = Emulator::start(&standard_world(), &[]);
    let team = Team::new();
    let mut admin = team.standard();
    admin.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let mut alice = team.env("alice");
    alice.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let mut bob = team.env("bob");
    bob.use_emulator(&emulator, CI_KEY, CI_SECRET);

    // A validation by the administrator names them in the role session.
    admin.run(&["-c", "VALIDATE CONNECTION lake"]).ok();
    let assumed = emulator.assumed();
    let last = assumed.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["source_identity"],
        team.role("admin").as_str(),
        "{assumed}"
    );

    let out = alice.run(&["credentials", "lake", "--no-cache"]);
    let creds: serde_json::Value = serde_json::from_str(out.ok().trim()).unwrap();
    let session = emulator
        .session(creds["AccessKeyId"].as_str().unwrap())
        .unwrap();
    assert_eq!(session["source_identity"], team.role("alice").as_str());

    let run = bob.run(&["credentials", "lake", "--no-cache"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("no USAGE on connection lake"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("GRANT USAGE ON CONNECTION lake TO"),
        "{}",
        run.stderr
    );
    // A key connection's credentials are made with its secret: for administrators only.
    admin.sql(&format!(
        "GRANT USAGE ON CONNECTION keys TO {}",
        team.role("bob")
    ));
    let run = bob.run(&["credentials", "keys", "--no-cache"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("only administrators may read"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(KEY_SECRET));

    // The audit: administrators read it, members may not.
    let issues = admin.run(&[
        "--format",
        "json",
        "-c",
        "SHOW CREDENTIAL ISSUES FOR CONNECTION lake",
    ]);
    let issues: serde_json::Value = serde_json::from_str(issues.ok().trim()).unwrap();
    assert_eq!(issues.as_array().unwrap().len(), 1, "{issues}");
    assert_eq!(issues[0]["role"], team.role("alice").as_str());
    assert_eq!(issues[0]["session_name"], "connsql-lake");
    assert_eq!(issues[0]["expiration"], creds["Expiration"]);
    let run = alice.run(&["-c", "SHOW CREDENTIAL ISSUES"]);
    assert!(
        run.stderr.contains("error[admin-required]"),
        "{}",
        run.stderr
    );
    // And psql as a member reads none of it, nor writes it in another's name.
    assert_eq!(
        team.psql("alice", "SELECT count(*) FROM connsql.credential_issues")
            .unwrap()
            .trim(),
        "0"
    );
}

#[test]
fn a_role_whose_trust_policy_refuses_a_source_identity_is_told_what_to_add() {
    let mut world = standard_world();
    world["roles"][0]["trust"][0]["set_source_identity"] = serde_json::json!(false);
    let emulator = Emulator::start(&world, &[]);
    let team = Team::new();
    let mut admin = team.env("admin");
    admin.use_emulator(&emulator, CI_KEY, CI_SECRET);
    let run = admin.run(&[
        "-c",
        &format!("CREATE S3 CONNECTION lake AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("does not let"), "{}", run.stderr);
    assert!(
        run.stderr.contains("\"sts:SetSourceIdentity\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(CI_ARN),
        "the policy names the caller: {}",
        run.stderr
    );
    // SHOW TRUST POLICY of a team catalog allows it.
    admin.sql(&format!(
        "CREATE S3 CONNECTION lake AWS_ROLE = '{ROLE}' EXTERNAL_ID = 'a1b2c3d4'"
    ));
    let policy = admin.run(&["-c", "SHOW TRUST POLICY FOR CONNECTION lake"]);
    assert!(policy.ok().contains("sts:SetSourceIdentity"));
}

#[test]
fn a_members_copy_leaves_the_secrets_out_and_says_so() {
    let team = Team::new();
    team.standard();
    let alice = team.env("alice");
    let file = alice.path().join("mine.db");
    let url = team.url("alice");
    let run = alice.run(&["catalog", "copy", &url, file.to_str().unwrap()]);
    let said = run.ok();
    assert!(
        said.contains("left out the secrets of 1 connection") && said.contains("keys"),
        "{said}"
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains(KEY_SECRET),
        "the secret is not in the copy"
    );
    let mut mine = Env::new();
    mine.catalog = file.clone();
    let shown = mine.sql("DESCRIBE CONNECTION keys");
    assert!(shown.contains("********"), "{shown}");
    let run = mine.run(&["credentials", "keys", "--no-cache"]);
    assert!(
        run.stderr.contains("only administrators may read"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_catalog_refuses_grants_and_says_why() {
    let env = Env::new();
    env.init_catalog();
    for statement in [
        "GRANT USAGE ON CATALOG TO analyst",
        "SHOW GRANTS",
        "SHOW CREDENTIAL ISSUES",
    ] {
        let run = env.run(&["-c", statement]);
        assert_eq!(run.code, 1, "{statement}");
        assert!(
            run.stderr.contains("error[team-catalog-only]"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("--catalog postgresql://"),
            "{}",
            run.stderr
        );
    }
    // Its jobs belong to the OS user who owns it.
    env.sql(
        "CREATE S3 CONNECTION lake; CREATE JOB j AS COPY FROM S3 lake LOCATION = 's3://b/' INTO db.t",
    );
    let jobs = env.run(&["--format", "json", "-c", "SHOW JOBS"]);
    let jobs: serde_json::Value = serde_json::from_str(jobs.ok().trim()).unwrap();
    assert!(!jobs[0]["owner"].as_str().unwrap().is_empty());
}

#[test]
fn a_schema_3_catalog_belongs_to_its_schema_owner_after_the_migration() {
    let team = Team::new();
    // The fixture is written by the role that owns the database's schema: the admin.
    let mut client = postgres::Client::connect(
        &format!("{}?password={PASSWORD}", team.url("admin")),
        postgres::NoTls,
    )
    .expect("connect");
    client
        .batch_execute(include_str!("fixtures/catalog_v3_postgres.sql"))
        .expect("fixture");
    // A member cannot migrate it: the owner must, and is named.
    let run = team.env("alice").run(&["-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(&team.role("admin")), "{}", run.stderr);
    let admin = team.env("admin");
    let jobs = admin.run(&["--format", "json", "-c", "SHOW JOBS"]);
    let jobs: serde_json::Value = serde_json::from_str(jobs.ok().trim()).unwrap();
    for job in jobs.as_array().unwrap() {
        assert_eq!(job["owner"], team.role("admin").as_str());
    }
    admin.sql(&format!("GRANT USAGE ON CATALOG TO {}", team.role("alice")));
    team.env("alice").sql("SHOW CONNECTIONS");
}
