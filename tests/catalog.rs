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
    // The migrated catalog keeps working: its settings survive, and writes go through.
    env.sql("ALTER S3 CONNECTION legacy SET COMMENT = 'after migration'");
    let trust = env.sql("SHOW TRUST POLICY");
    assert!(
        trust.contains("connsql-0123456789abcdef0123456789abcdef"),
        "{trust}"
    );
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
