//! The catalog file: where it lives, its permissions, migrations, what it refuses, and several
//! processes writing at once.

use std::os::unix::fs::PermissionsExt;

use crate::util::Env;

#[test]
fn created_owner_only_in_the_data_directory() {
    let env = Env::new();
    // Without --catalog and CONNSQL_CATALOG the catalog goes to the user's data directory.
    let out = env
        .command_without_catalog()
        .args(["--no-validate", "-c", "CREATE S3 CONNECTION a"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = env.path().join("data/connsql");
    let file = dir.join("catalog.db");
    assert_eq!(
        std::fs::metadata(&file)
            .expect("catalog")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn catalog_env_var_names_the_file() {
    let mut env = Env::new();
    let path = env.path().join("sub/dir/my.db");
    env.set("CONNSQL_CATALOG", path.to_str().unwrap());
    let out = env
        .command_without_catalog()
        .args(["--no-validate", "-c", "CREATE S3 CONNECTION a"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        std::fs::metadata(&path)
            .expect("catalog")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(path.parent().unwrap())
            .expect("dir")
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[test]
fn a_file_that_is_not_a_catalog_is_refused_untouched() {
    let env = Env::new();
    let text = b"name,value\nnot,a catalog\n";
    std::fs::write(&env.catalog, text).expect("write");
    let err = env
        .run(&["--no-validate", "-c", "SHOW CONNECTIONS"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("is not a connsql catalog (it is not a SQLite file)"),
        "{err}"
    );
    assert_eq!(std::fs::read(&env.catalog).expect("read"), text);

    let other = Env::new();
    {
        let db = rusqlite::Connection::open(&other.catalog).expect("sqlite");
        db.execute_batch(
            "CREATE TABLE photos (id INTEGER PRIMARY KEY); INSERT INTO photos VALUES (1);",
        )
        .expect("ddl");
    }
    let before = std::fs::read(&other.catalog).expect("read");
    let err = other
        .run(&["--no-validate", "-c", "SHOW CONNECTIONS"])
        .fails(2)
        .to_string();
    assert!(err.contains("SQLite database of another program"), "{err}");
    assert_eq!(std::fs::read(&other.catalog).expect("read"), before);
}

#[test]
fn a_directory_is_refused() {
    let env = Env::new();
    std::fs::create_dir(&env.catalog).expect("mkdir");
    env.run(&["--no-validate", "-c", "SHOW CONNECTIONS"])
        .fails(2);
}

#[test]
fn a_newer_catalog_is_refused() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION a");
    {
        let db = rusqlite::Connection::open(&env.catalog).expect("sqlite");
        db.pragma_update(None, "user_version", 99).expect("bump");
    }
    let err = env
        .run(&["--no-validate", "-c", "SHOW CONNECTIONS"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("schema version 99, newer than this connsql supports"),
        "{err}"
    );
}

#[test]
fn a_version_1_catalog_migrates_forward() {
    let env = Env::new();
    {
        let db = rusqlite::Connection::open(&env.catalog).expect("sqlite");
        db.execute_batch(include_str!("fixtures/catalog_v1.sql"))
            .expect("v1 fixture");
    }
    let rows = env.connections();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "legacy");
    assert_eq!(rows[0]["external_id"], "legacy-ext");
    let version: i64 = rusqlite::Connection::open(&env.catalog)
        .expect("sqlite")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, connsql::catalog::CURRENT_VERSION);
    // It keeps the page size it was made with; only new catalogs get the larger one.
    assert_eq!(page_size(&env), 4096);
    // The migrated catalog keeps working: its settings survive, and writes go through.
    env.sql("ALTER S3 CONNECTION legacy SET COMMENT = 'after migration'");
    let trust = env.sql("SHOW TRUST POLICY");
    assert!(
        trust.contains("connsql-0123456789abcdef0123456789abcdef"),
        "{trust}"
    );
}

fn page_size(env: &Env) -> i64 {
    rusqlite::Connection::open(&env.catalog)
        .expect("sqlite")
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .expect("page size")
}

#[test]
fn a_new_catalog_has_16_kib_pages() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION a");
    assert_eq!(page_size(&env), 16384);
    // Growing past a page's worth of rows and reopening works as with any other size.
    let script: String = (0..300)
        .map(|i| {
            format!(
                "CREATE S3 CONNECTION c{i} COMMENT = '{}';\n",
                "x".repeat(100)
            )
        })
        .collect();
    let file = env.write("many.sql", &script);
    env.run(&["--no-validate", "--quiet", "-f", file.to_str().unwrap()])
        .ok();
    assert_eq!(env.connections().len(), 301);
    assert_eq!(page_size(&env), 16384);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let env = Env::new();
    let children: Vec<_> = (0..4)
        .map(|p| {
            let script: String = (0..100)
                .map(|i| format!("CREATE S3 CONNECTION p{p}_{i};\n"))
                .collect();
            let file = env.write(&format!("p{p}.sql"), &script);
            env.command()
                .args(["--no-validate", "-f", file.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = crate::util::bounded(child, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(!err.contains("locked"), "{err}");
    }
    assert_eq!(env.connections().len(), 400);
}

#[test]
fn jobs_look_up_connections_through_the_library() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION k AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' AWS_SECRET_ACCESS_KEY = 'the-real-secret'");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let conn = catalog.connection("k").expect("look-up").expect("found");
    match &conn.spec.credentials {
        connsql::sql::Credentials::Keys {
            secret_access_key, ..
        } => assert_eq!(secret_access_key.expose(), "the-real-secret"),
        other => panic!("{other:?}"),
    }
    assert!(catalog.connection("missing").expect("look-up").is_none());
}

/// `--catalog notes.txt` by mistake (as root, on a system file): the file is refused and
/// left exactly as it was, mode included; the message says so, and it is true. A SQLite
/// database of another program keeps its mode too.
#[test]
fn a_file_that_is_not_a_catalog_keeps_its_mode() {
    let env = Env::new();
    let notes = env.write("notes.txt", "shopping: milk\n");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let mut cmd = env.command_without_catalog();
    cmd.arg("--catalog")
        .arg(&notes)
        .args(["-c", "SHOW CONNECTIONS;"]);
    let out = cmd.output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it was left untouched"), "{err}");
    let mode = std::fs::metadata(&notes)
        .expect("stat")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(
        mode, 0o644,
        "the mode of a file that is not a catalog is left alone"
    );

    let photos = env.path().join("photos.db");
    {
        let db = rusqlite::Connection::open(&photos).expect("sqlite");
        db.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);")
            .expect("ddl");
    }
    std::fs::set_permissions(&photos, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let mut cmd = env.command_without_catalog();
    cmd.arg("--catalog")
        .arg(&photos)
        .args(["-c", "CREATE S3 CONNECTION c;"]);
    assert_eq!(cmd.output().expect("run").status.code(), Some(2));
    let mode = std::fs::metadata(&photos)
        .expect("stat")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
}

/// A mistyped catalog URL never becomes a file: any `scheme://` but postgresql/postgres is a
/// usage error (exit 2) with a did-you-mean and no password quoted; `~/` is the home
/// directory, as in a shell (a quoted `'~/new.db'` reaches connsql as it is).
#[test]
fn typos_in_a_catalog_url_make_no_files() {
    let env = Env::new();
    for (catalog, says) in [
        (
            "postgressql://ana:hunter2@db/connsql",
            "did you mean postgresql://?",
        ),
        ("postgre://ana:hunter2@db/connsql", "did you mean postgres"),
        (
            "mysql://ana:hunter2@db/connsql",
            "a catalog is a SQLite file or a postgresql:// URL",
        ),
    ] {
        let mut cmd = env.command_without_catalog();
        cmd.current_dir(env.path())
            .args(["--catalog", catalog, "-c", "CREATE S3 CONNECTION c"]);
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{catalog}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{catalog}: {err}");
        assert!(!err.contains("hunter2"), "{err}");
        let mut copy = env.command_without_catalog();
        copy.current_dir(env.path())
            .args(["catalog", "copy", catalog, "x.db"]);
        assert_eq!(copy.output().expect("run").status.code(), Some(2));
    }
    let mut cmd = env.command_without_catalog();
    cmd.current_dir(env.path())
        .env("CONNSQL_CATALOG", "mysql://db/x")
        .args(["-c", "SHOW CONNECTIONS"]);
    assert_eq!(cmd.output().expect("run").status.code(), Some(2));
    let left: Vec<String> = std::fs::read_dir(env.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left
            .iter()
            .any(|n| n.contains("postgr") || n.contains("mysql") || n == "x.db"),
        "{left:?}"
    );

    let mut cmd = env.command_without_catalog();
    cmd.current_dir(env.path()).args([
        "--no-validate",
        "--catalog",
        "~/new.db",
        "-c",
        "CREATE S3 CONNECTION c",
    ]);
    assert!(cmd.output().expect("run").status.success());
    assert!(env.path().join("new.db").exists(), "~/ is HOME");
    assert!(!env.path().join("~").exists(), "no directory named ~");
}

/// A failed copy into a new SQLite file leaves no file behind (a half-made catalog with a
/// generated external ID of its own would be mistaken for the copy).
#[test]
fn a_failed_copy_leaves_no_new_catalog() {
    let env = Env::new();
    env.sql("CREATE S3 CONNECTION c");
    // The source's history is append-only, and a damaged row makes the copy fail half-way.
    {
        let db = rusqlite::Connection::open(&env.catalog).expect("open");
        db.execute_batch(
            "PRAGMA ignore_check_constraints = ON; \
             UPDATE connections SET authentication = 'bogus';",
        )
        .expect("damage");
    }
    let target = env.path().join("copy.db");
    let run = env.run(&[
        "catalog",
        "copy",
        env.catalog.to_str().expect("path"),
        target.to_str().expect("path"),
    ]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = format!("{}{suffix}", target.display());
        assert!(!std::path::Path::new(&p).exists(), "{p} left behind");
    }
}

/// The history names the account even when `$USER` is not set (cron, containers).
#[test]
fn the_history_names_the_account_without_user() {
    let mut env = Env::new();
    env.unset("USER");
    env.sql("CREATE S3 CONNECTION c");
    let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
    let user = catalog.history().expect("history")[0].os_user.clone();
    assert_ne!(user, "unknown");
    assert!(!user.is_empty());
}

on_both_engines! {
    /// A catalog that is not connsql's, or whose records are damaged, is refused the same way
    /// on both engines, with what is wrong, and never written into.
    fn damaged_or_foreign_catalogs_are_refused_alike(env) {
        env.sql("CREATE S3 CONNECTION c");
        let damage = |sql: &str| crate::util::catalog_sql(&env, sql);
        // A stored value no connsql writes: an option this connsql does not know, a value that
        // does not check.
        damage("UPDATE connections SET options = '{\"AWS_ROLE\": \"arn:aws:iam::123456789012:role/r\", \"BOGUS\": \"x\"}'");
        let err = env.run(&["-c", "SHOW CONNECTIONS"]).fails(1).to_string();
        assert!(err.contains("is damaged") && err.contains("`BOGUS` is not an option"), "{err}");
        damage("UPDATE connections SET options = '{\"AWS_ROLE\": \"not an arn\"}'");
        let err = env.run(&["-c", "SHOW CONNECTIONS"]).fails(1).to_string();
        assert!(err.contains("is damaged") && err.contains("is not an ARN"), "{err}");
        damage("UPDATE connections SET options = '{}'");
        // A settings row deleted.
        damage("DELETE FROM settings WHERE key = 'external_id'");
        let err = env.run(&["-c", "SHOW CONNECTIONS"]).fails(2).to_string();
        assert!(err.contains("its settings have no `external_id`"), "{err}");
    }
}

/// PostgreSQL: a `connsql` schema of another program, or one whose version row is gone, is
/// refused, never taken for a missing catalog and written into.
#[test]
fn a_foreign_postgresql_schema_is_refused() {
    let env = Env::postgres();
    env.sql("CREATE S3 CONNECTION c");
    crate::util::catalog_sql(
        &env,
        "UPDATE meta SET value = 'otherapp' WHERE key = 'application'",
    );
    let err = env
        .run(&["-c", "CREATE S3 CONNECTION d"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("belongs to another program (`otherapp`)"),
        "{err}"
    );
    crate::util::catalog_sql(
        &env,
        "UPDATE meta SET value = 'connsql' WHERE key = 'application'",
    );
    crate::util::catalog_sql(&env, "DELETE FROM meta WHERE key = 'version'");
    let err = env
        .run(&["-c", "CREATE S3 CONNECTION d"])
        .fails(2)
        .to_string();
    assert!(err.contains("has no schema version"), "{err}");
}

on_both_engines! {
    /// A catalog written at schema 3 — connections a column per option — migrates forward on
    /// either engine: every connection with its options and secrets, its jobs, its validation
    /// and its history are there after, and the catalog is at the current version.
    fn a_schema_3_catalog_migrates_forward(env) {
        let target = env.catalog.to_string_lossy().into_owned();
        if target.starts_with("postgres") {
            let mut client = postgres::Client::connect(&target, postgres::NoTls).expect("connect");
            client
                .batch_execute(include_str!("fixtures/catalog_v3_postgres.sql"))
                .expect("v3 fixture");
        } else {
            let db = rusqlite::Connection::open(&env.catalog).expect("sqlite");
            db.execute_batch(include_str!("fixtures/catalog_v3.sql")).expect("v3 fixture");
        }
        let rows = env.connections();
        let by_name = |name: &str| {
            rows.iter()
                .find(|r| r["name"] == name)
                .unwrap_or_else(|| panic!("{name} in {rows:?}"))
                .clone()
        };
        let role = by_name("legacy_role");
        assert_eq!(role["aws_role"], "arn:aws:iam::123456789012:role/lake-reader");
        assert_eq!(role["external_id"], "legacy-ext");
        assert_eq!(role["read_only"], true);
        assert_eq!(
            role["path_display_filters"],
            serde_json::json!(["s3://lake-raw/raw/", "s3://lake-out/"])
        );
        assert_eq!(role["comment"], "from schema 3");
        assert_eq!(role["validated_at"], "2026-11-29T10:00:00.000Z");
        assert_eq!(by_name("legacy_keys")["authentication"], "keys");
        assert_eq!(by_name("legacy_default")["authentication"], "default");
        let mut catalog = connsql::catalog::Catalog::open(&env.catalog).expect("open");
        let keys = catalog.lookup("legacy_keys").expect("lookup").expect("there");
        match &keys.spec.credentials {
            connsql::sql::Credentials::Keys { secret_access_key, .. } => {
                assert_eq!(secret_access_key.expose(), "legacy-secret-v3")
            }
            other => panic!("{other:?}"),
        }
        assert!(keys.spec.encryption_customer_managed_key.is_some());
        assert_eq!(catalog.job_names().expect("jobs"), ["legacy_copy", "legacy_export"]);
        assert_eq!(catalog.history().expect("history").len(), 7);
        drop(catalog);
        // It goes on as a catalog of this version: changed, and read back.
        env.sql("ALTER S3 CONNECTION legacy_keys SET COMMENT = 'after the migration'");
        let show = env.sql("SHOW CREATE JOB legacy_export");
        assert!(show.contains("legacy_writer") && show.contains("$event_time"), "{show}");
        let (version, current) = if target.starts_with("postgres") {
            let mut client = postgres::Client::connect(&target, postgres::NoTls).expect("connect");
            let v: String = client
                .query_one("SELECT value FROM connsql.meta WHERE key = 'version'", &[])
                .expect("version")
                .get(0);
            (
                v.parse::<i64>().expect("number"),
                connsql::catalog::postgres::CURRENT_VERSION,
            )
        } else {
            let v = rusqlite::Connection::open(&env.catalog)
                .expect("sqlite")
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .expect("version");
            (v, connsql::catalog::CURRENT_VERSION)
        };
        assert_eq!(version, current);
    }
}
