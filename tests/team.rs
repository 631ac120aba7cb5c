//! A catalog for a team (SPEC §8): one PostgreSQL catalog shared by processes on "machines"
//! with environments of their own, the rules holding under concurrency, faults of the server,
//! and `catalog copy` between the engines.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{
    CI_KEY, CI_SECRET, Emulator, Env, PgServer, free_port, reported, standard_world,
};

/// A second "machine" (its own HOME, USER and data directory) on `a`'s catalog.
fn machines(mut a: Env) -> (Env, Env) {
    let mut b = Env::new();
    b.catalog = a.catalog.clone();
    a.set("USER", "ana");
    b.set("USER", "ben");
    (a, b)
}

/// Two machines on one PostgreSQL catalog.
fn two_machines() -> (Env, Env) {
    machines(Env::postgres())
}

on_both_engines! {
fn eight_processes_on_two_machines_create_1600_connections(env) {
    let (a, b) = machines(env);
    let children: Vec<_> = (0..8)
        .map(|p| {
            let env = if p % 2 == 0 { &a } else { &b };
            let sql: String = (0..200)
                .map(|i| {
                    format!("CREATE S3 CONNECTION m{p}_c{i:03} COMMENT = 'from process {p}';\n")
                })
                .collect();
            let mut child = env
                .command()
                .args(["--no-validate", "--quiet"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(sql.as_bytes())
                .unwrap();
            child
        })
        .collect();
    for child in children {
        let out = crate::util::bounded(child, &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(a.stored_names().len(), 1600);
    assert_eq!(
        b.connections().len(),
        1600,
        "the other machine sees them all"
    );
}
}

on_both_engines! {
fn the_same_name_created_at_once_is_created_once(env) {
    let (a, b) = machines(env);
    for round in 0..5 {
        let sql = format!("CREATE S3 CONNECTION race{round} COMMENT = 'who wins'");
        let spawn = |env: &Env| {
            env.command()
                .args(["--no-validate", "-c", &sql])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (x, y) = (spawn(&a), spawn(&b));
        let outs = [crate::util::bounded(x, &[]), crate::util::bounded(y, &[])];
        let ok = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(ok, 1, "round {round}: exactly one wins");
        let loser = outs.iter().find(|o| !o.status.success()).unwrap();
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.contains("error[connection-exists]"),
            "a clean failure: {err}"
        );
    }
}
}

on_both_engines! {
fn a_job_created_while_its_connection_is_dropped_or_the_drop_wins(env) {
    let (a, b) = machines(env);
    for round in 0..6 {
        a.sql(&format!("CREATE S3 CONNECTION c{round}"));
        let drop = a
            .command()
            .args(["--no-validate", "-c", &format!("DROP CONNECTION c{round}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let job = b
            .command()
            .args([
                "--no-validate",
                "-c",
                &format!("CREATE JOB j{round} AS COPY FROM S3 c{round} LOCATION = 's3://bkt/{round}/' INTO db.t"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (drop, job) = (
            crate::util::bounded(drop, &[]),
            crate::util::bounded(job, &[]),
        );
        assert_ne!(
            drop.status.success(),
            job.status.success(),
            "round {round}: exactly one succeeds\ndrop: {}\njob: {}",
            String::from_utf8_lossy(&drop.stderr),
            String::from_utf8_lossy(&job.stderr)
        );
        let connection_left = a.stored_names().contains(&format!("c{round}"));
        assert_eq!(
            connection_left,
            job.status.success(),
            "a job never outlives its connection"
        );
    }
}
}

#[test]
fn passwords_come_from_libpq_places_and_are_never_printed() {
    let server = PgServer::shared();
    let db = server.database();
    let name = db.rsplit('/').next().unwrap().to_string();
    // The tests' server asks every role but its own for a password (scram-sha-256).
    let mut admin =
        postgres::Client::connect(&format!("{}/postgres", server.base), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE team LOGIN PASSWORD 'right-pass:word'; \
             EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
             ALTER DATABASE {name} OWNER TO team"
        ))
        .unwrap();
    let as_team = |password: Option<&str>| {
        let userinfo = match password {
            Some(p) => format!("team:{}", p.replace(':', "%3A")),
            None => "team".to_string(),
        };
        db.replace("connsql@", &format!("{userinfo}@"))
    };
    let mut env = Env::new();
    // A wrong password in the URL: refused, said so, and the password is nowhere.
    env.catalog = as_team(Some("wrong-password-here")).into();
    let run = env.run(&["--no-validate", "-c", "CREATE S3 CONNECTION x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("refused the login") && run.stderr.contains("postgresql://team@"),
        "{}",
        run.stderr
    );
    assert!(!format!("{}{}", run.stdout, run.stderr).contains("wrong-password"));
    // The right one, in the URL.
    env.catalog = as_team(Some("right-pass:word")).into();
    env.sql("CREATE S3 CONNECTION from_url");
    // No password in the URL: PGPASSWORD.
    env.catalog = as_team(None).into();
    env.set("PGPASSWORD", "right-pass:word");
    env.sql("CREATE S3 CONNECTION from_pgpassword");
    // No PGPASSWORD: ~/.pgpass, with libpq's escaping of ':'.
    env.unset("PGPASSWORD");
    let pgpass = env.write(
        ".pgpass",
        &format!(
            "# host:port:database:user:password\nother:*:*:*:nope\n127.0.0.1:{}:{name}:team:right-pass\\:word\n",
            server.port
        ),
    );
    // One others may read is ignored, as libpq ignores it, and said so.
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let run = env.run(&["-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has group or world access (mode 644) and was ignored")
            && run.stderr.contains("chmod 600"),
        "{}",
        run.stderr
    );
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let run = env.run(&["-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(run.stdout.contains("from_url") && run.stdout.contains("from_pgpassword"));
    // Without any password: the login is refused, and the hint says where one goes.
    std::fs::remove_file(&pgpass).unwrap();
    let run = env.run(&["-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("PGPASSWORD or ~/.pgpass"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreachable_server_fails_within_the_timeout() {
    let mut env = Env::new();
    // Nothing listens: refused at once.
    env.catalog = format!("postgresql://connsql@127.0.0.1:{}/db", free_port()).into();
    let started = Instant::now();
    let run = env.run(&["--timeout", "2", "-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot reach the catalog server"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Something listens and never answers: --timeout bounds the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    env.catalog = format!("postgresql://connsql@{}/db", silent.local_addr().unwrap()).into();
    let started = Instant::now();
    let run = env.run(&["--timeout", "1", "-c", "SHOW CONNECTIONS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(silent);
}

#[test]
fn copy_moves_a_catalog_to_postgresql_and_back_unchanged() {
    let emulator = Emulator::start(&standard_world(), &[]);
    let mut env = Env::new();
    env.use_emulator(&emulator, CI_KEY, CI_SECRET);
    env.run(&[
        "-c",
        "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' EXTERNAL_ID = 'a1b2c3d4' \
         PATH_DISPLAY_FILTER = 's3://lake-raw/raw/'; \
         CREATE S3 CONNECTION keys AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' \
         AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' READ_ONLY = TRUE; \
         CREATE S3 CONNECTION generated AWS_ROLE = 'arn:aws:iam::123456789012:role/loose'; \
         CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.orders",
    ])
    .ok();
    let sqlite = env.catalog.clone();
    let url = PgServer::shared().database();
    let copy = |from: &std::path::Path, to: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "catalog",
            "copy",
            from.to_str().unwrap(),
            to.to_str().unwrap(),
        ];
        args.extend(extra);
        env.run(&args)
    };
    let run = copy(&sqlite, url.as_ref(), &[]);
    assert!(
        run.ok()
            .starts_with("copied 3 connections, 1 job, 4 history entries, 3 validations"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("wJalrXUtnFEMI"), "no secret printed");
    // A target that is not empty is refused unless asked.
    let again = copy(&sqlite, url.as_ref(), &[]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
    copy(&sqlite, url.as_ref(), &["--replace"]).ok();
    let back = env.path().join("back.db");
    copy(url.as_ref(), &back, &[]).ok();
    let show = |catalog: &std::path::Path| -> String {
        let mut e = Env::new();
        e.use_emulator(&emulator, CI_KEY, CI_SECRET);
        e.catalog = catalog.to_path_buf();
        e.run(&[
            "--format",
            "json",
            "-c",
            "SHOW CONNECTIONS; SHOW JOBS; DESCRIBE CONNECTION keys; DESCRIBE JOB load; \
             SHOW CREATE CONNECTION generated; SHOW TRUST POLICY",
        ])
        .ok()
        .to_string()
    };
    let original = show(&sqlite);
    // A team catalog's role sessions name the person: its trust policy allows that too.
    let team_trust = original.replace(
        "\"Action\":\"sts:AssumeRole\"",
        "\"Action\":[\"sts:AssumeRole\",\"sts:SetSourceIdentity\"]",
    );
    assert_ne!(team_trust, original);
    assert_eq!(
        show(url.as_ref()),
        team_trust,
        "PostgreSQL shows what SQLite showed"
    );
    assert_eq!(show(&back), original, "and back again");
    // Credentials behave the same from every copy: the same role, session and policy.
    for catalog in [sqlite.clone(), url.clone().into(), back.clone()] {
        let mut e = Env::new();
        e.use_emulator(&emulator, CI_KEY, CI_SECRET);
        e.catalog = catalog;
        let out = e
            .run(&["credentials", "lake", "--job", "load"])
            .ok()
            .to_string();
        let creds: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let session = emulator
            .session(creds["AccessKeyId"].as_str().unwrap())
            .unwrap();
        assert!(session["arn"].as_str().unwrap().ends_with("/connsql-load"));
        assert!(
            session["policy"]
                .as_str()
                .unwrap()
                .contains("lake-raw/raw/*")
        );
    }
}

#[test]
fn a_server_stopped_mid_batch_leaves_what_was_reported_and_says_so() {
    let (env, _) = two_machines();
    let sql: String = (0..20_000)
        .map(|i| format!("CREATE S3 CONNECTION s{i:05};\n"))
        .collect();
    let file = env.write("big.sql", &sql);
    // The catalog exists before the run, so the kill lands in the batch, not in its setup.
    env.sql("CREATE S3 CONNECTION first");
    let out = env.path().join("reports.json");
    let mut child = env.spawn_batch_reporting(&file, &out, Stdio::piped());
    std::thread::sleep(Duration::from_millis(400));
    // Every connection of this catalog's database is cut, as when the server goes away.
    let db = env
        .catalog
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut admin = postgres::Client::connect(
        &format!("{}/postgres", PgServer::shared().base),
        postgres::NoTls,
    )
    .unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db],
        )
        .unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let reported = reported(&std::fs::read_to_string(&out).unwrap());
    let stored = env.stored_names();
    // History goes to the server in batches: still one entry per stored connection, none for
    // a statement that was not applied.
    let history = history_names(&env);
    assert_eq!(history, stored, "one history entry per stored connection");
    if status.success() {
        // The batch was done before the cut.
        assert_eq!(stored.len(), 20_001);
        return;
    }
    assert!(
        stderr.contains("catalog"),
        "the error says what happened: {stderr}"
    );
    for name in &reported {
        assert!(stored.contains(name), "{name} was reported and is stored");
    }
    // Nothing half-written: a prefix of the input.
    let made: Vec<&String> = stored.iter().filter(|n| n.starts_with('s')).collect();
    for (i, name) in made.iter().enumerate() {
        assert_eq!(**name, format!("s{i:05}"), "a prefix of the input");
    }
}

/// A rule of the database itself (a trigger, as a check or a policy of its own would be) that
/// refuses rows of `table` whose name starts with `bad`.
fn refuse_names_starting_with_bad(env: &Env, table: &str) {
    let mut admin =
        postgres::Client::connect(env.catalog.to_str().unwrap(), postgres::NoTls).expect("connect");
    admin
        .batch_execute(&format!(
            "CREATE FUNCTION connsql.refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.name LIKE 'bad%' THEN \
             RAISE EXCEPTION 'names starting with bad are refused here'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON connsql.{table} \
             FOR EACH ROW EXECUTE FUNCTION connsql.refuse_{table}();"
        ))
        .expect("trigger");
}

/// The name in each history entry of the catalog, oldest first.
fn history_names(env: &Env) -> Vec<String> {
    connsql::catalog::Catalog::open(&env.catalog)
        .unwrap()
        .history()
        .unwrap()
        .into_iter()
        .map(|h| h.connection_name)
        .collect()
}

/// Runs `file` in one transaction: the refusal is reported at `at`, and nothing is applied.
fn single_transaction_refuses(env: &Env, file: &str, at: &str) {
    let all = env.run(&["--no-validate", "--single-transaction", "-f", file]);
    let err = all.fails(1);
    assert!(
        err.contains("names starting with bad are refused here"),
        "{err}"
    );
    assert!(err.contains(at), "the refused statement is named: {err}");
    assert_eq!(all.stdout, "", "nothing reported applied");
}

/// New connections wait in the engine and reach the server together; a row the server refuses
/// still fails the statement that wrote it, in every mode, and nothing else.
#[test]
fn a_row_the_server_refuses_fails_its_own_statement() {
    let env = Env::postgres();
    env.sql("CREATE S3 CONNECTION first");
    refuse_names_starting_with_bad(&env, "connections");
    let names = |env: &Env| -> Vec<String> {
        env.stored_names()
            .into_iter()
            .filter(|n| n != "first")
            .collect()
    };
    let sql: String = ["a1", "a2", "bad3", "a4", "a5"]
        .iter()
        .map(|n| format!("CREATE S3 CONNECTION {n} COMMENT = 'x';\n"))
        .collect();
    let file = env.write("five.sql", &sql);
    let file = file.to_str().unwrap();

    single_transaction_refuses(&env, file, "five.sql:3:");
    assert!(names(&env).is_empty(), "all or nothing");

    let stop = env.run(&["--no-validate", "-f", file]);
    let err = stop.fails(1);
    assert!(err.contains("five.sql:3:"), "{err}");
    assert_eq!(
        stop.stdout,
        "created connection a1\ncreated connection a2\n"
    );
    assert_eq!(names(&env), ["a1", "a2"]);

    let again: String = ["c1", "bad2", "c3", "c4"]
        .iter()
        .map(|n| format!("CREATE S3 CONNECTION {n};\n"))
        .collect();
    let file = env.write("four.sql", &again);
    let go_on = env.run(&[
        "--no-validate",
        "--continue-on-error",
        "-f",
        file.to_str().unwrap(),
    ]);
    let err = go_on.fails(1);
    assert!(err.contains("four.sql:2:"), "{err}");
    assert!(err.contains("1 of 4 statements failed"), "{err}");
    assert_eq!(
        go_on.stdout,
        "created connection c1\ncreated connection c3\ncreated connection c4\n"
    );
    assert_eq!(names(&env), ["a1", "a2", "c1", "c3", "c4"]);
    let history = history_names(&env);
    assert_eq!(history, ["first", "a1", "a2", "c1", "c3", "c4"]);
}

/// Jobs wait in the engine as new connections do, their names checked from what the window
/// read at once, their connection read once per transaction: a job row the server refuses
/// still fails its own statement, and the jobs around it are applied or not as the mode says.
#[test]
fn a_job_row_the_server_refuses_fails_its_own_statement() {
    let env = Env::postgres();
    env.sql("CREATE S3 CONNECTION lake; CREATE JOB first AS COPY FROM S3 lake LOCATION = 's3://b/first/' INTO c.d.first");
    refuse_names_starting_with_bad(&env, "jobs");
    let jobs = |env: &Env| -> Vec<String> {
        let rows = env
            .run(&["--format", "json", "-c", "SHOW JOBS"])
            .json_lines();
        rows[0]
            .as_array()
            .expect("an array of jobs")
            .iter()
            .map(|j| j["name"].as_str().expect("a name").to_string())
            .collect()
    };
    let script: String = ["j1", "j2", "bad3", "j4", "first"]
        .iter()
        .map(|n| {
            format!("CREATE JOB {n} AS COPY FROM S3 lake LOCATION = 's3://b/{n}/' INTO c.d.{n};\n")
        })
        .collect();
    let file = env.write("jobs.sql", &script);
    let file = file.to_str().unwrap();

    single_transaction_refuses(&env, file, "jobs.sql:3:");
    assert_eq!(jobs(&env), ["first"], "all or nothing");

    let go_on = env.run(&["--no-validate", "--continue-on-error", "-f", file]);
    let err = go_on.fails(1);
    assert!(err.contains("jobs.sql:3:"), "{err}");
    assert!(
        err.contains("jobs.sql:5:"),
        "the existing job is refused too: {err}"
    );
    assert!(err.contains("error[job-exists]"), "{err}");
    assert_eq!(
        go_on.stdout,
        "created job j1\ncreated job j2\ncreated job j4\n"
    );
    assert_eq!(jobs(&env), ["first", "j1", "j2", "j4"]);
}
