//! The catalog schema, as forward migrations numbered by `PRAGMA user_version`.

/// `PRAGMA application_id` of every connsql catalog ("conn"), so a SQLite file of another
/// program is recognised and left alone.
pub const APPLICATION_ID: i32 = 0x636f_6e6e;

/// Migration `i` takes a catalog from version `i` to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: settings, connections, append-only history.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE connections (
        id                              TEXT PRIMARY KEY,
        name                            TEXT NOT NULL UNIQUE,
        authentication                  TEXT NOT NULL CHECK (authentication IN ('role', 'keys', 'default')),
        aws_role                        TEXT,
        external_id                     TEXT,
        aws_access_key_id               TEXT,
        aws_secret_access_key           TEXT,
        path_display_filters            TEXT NOT NULL DEFAULT '[]',
        read_only                       INTEGER NOT NULL DEFAULT 0,
        encryption_kms_key              TEXT,
        encryption_customer_managed_key TEXT,
        comment                         TEXT,
        created_at                      TEXT NOT NULL,
        updated_at                      TEXT NOT NULL,
        validated_at                    TEXT
    ) STRICT;
    CREATE TABLE history (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        at              TEXT NOT NULL,
        os_user         TEXT NOT NULL,
        action          TEXT NOT NULL,
        connection_id   TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        statement       TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER history_no_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_no_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    "#,
    // 1 -> 2: validation outcomes, one row per validation, newest referenced by the connection.
    r#"
    CREATE TABLE validations (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id    TEXT NOT NULL,
        at               TEXT NOT NULL,
        caller_arn       TEXT,
        assumed_role_arn TEXT,
        warnings         TEXT NOT NULL DEFAULT '[]'
    ) STRICT;
    CREATE INDEX validations_by_connection ON validations (connection_id, seq);
    "#,
    // 2 -> 3: jobs, each referencing one connection by id; history entries name their object.
    // `definition` is the job's canonical CREATE statement, from which it is read back; the
    // other columns are what queries and rules look at.
    r#"
    CREATE TABLE jobs (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        connection_id  TEXT NOT NULL REFERENCES connections (id),
        kind           TEXT NOT NULL CHECK (kind IN ('copy', 'insert')),
        sync           INTEGER NOT NULL,
        writes         INTEGER NOT NULL,
        location       TEXT NOT NULL,
        target         TEXT,
        source_tables  TEXT NOT NULL DEFAULT '[]',
        options        TEXT NOT NULL DEFAULT '{}',
        definition     TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        validated_at   TEXT
    ) STRICT;
    CREATE INDEX jobs_by_connection ON jobs (connection_id, writes, name);
    ALTER TABLE history ADD COLUMN object TEXT NOT NULL DEFAULT 'connection';
    "#,
    // 3 -> 4: a connection stored by its option table: its options by name (JSON) and its
    // secret options apart (JSON, or NULL), instead of a column per option; `authentication`
    // stays, derived, for readers. Both tables are rebuilt for what a write costs: connections
    // keyed by their id alone (WITHOUT ROWID: one B-tree for rows and ids, beside the names),
    // history keyed by its rowid without AUTOINCREMENT (append-only, its order is its seq).
    // Migrations run with foreign keys off, so the jobs' reference follows the new table by
    // its name. A JSON merge patch onto `{}` leaves out what is NULL.
    r#"
    CREATE TABLE connections_v4 (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        authentication TEXT NOT NULL CHECK (authentication IN ('role', 'keys', 'default')),
        options        TEXT NOT NULL DEFAULT '{}',
        secrets        TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        validated_at   TEXT
    ) STRICT, WITHOUT ROWID;
    INSERT INTO connections_v4
    SELECT id, name, authentication,
        json_patch('{}', json_object(
            'AWS_ROLE', aws_role,
            'EXTERNAL_ID', external_id,
            'AWS_ACCESS_KEY_ID', aws_access_key_id,
            'PATH_DISPLAY_FILTERS', CASE WHEN path_display_filters = '[]' THEN NULL
                                         ELSE json(path_display_filters) END,
            'READ_ONLY', CASE WHEN read_only THEN json('true') END,
            'ENCRYPTION_KMS_KEY', encryption_kms_key,
            'COMMENT', comment)),
        CASE WHEN aws_secret_access_key IS NULL
              AND encryption_customer_managed_key IS NULL THEN NULL
         ELSE json_patch('{}', json_object(
             'AWS_SECRET_ACCESS_KEY', aws_secret_access_key,
             'ENCRYPTION_CUSTOMER_MANAGED_KEY', encryption_customer_managed_key)) END,
        created_at, updated_at, validated_at
    FROM connections;
    DROP TABLE connections;
    ALTER TABLE connections_v4 RENAME TO connections;
    CREATE TABLE history_v4 (
        seq             INTEGER PRIMARY KEY,
        at              TEXT NOT NULL,
        os_user         TEXT NOT NULL,
        action          TEXT NOT NULL,
        connection_id   TEXT NOT NULL,
        connection_name TEXT NOT NULL,
        statement       TEXT NOT NULL,
        object          TEXT NOT NULL DEFAULT 'connection'
    ) STRICT;
    INSERT INTO history_v4 (seq, at, os_user, action, connection_id, connection_name, statement, object)
        SELECT seq, at, os_user, action, connection_id, connection_name, statement, object FROM history;
    DROP TABLE history;
    ALTER TABLE history_v4 RENAME TO history;
    CREATE TRIGGER history_no_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_no_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    "#,
    // 4 -> 5 (who may do what, SPEC §9; the same schema as PostgreSQL's): secrets in a table
    // of their own, which a team catalog lets only administrators read, their names kept with
    // the other options as null (set, kept apart); jobs have an owner and history the role
    // that wrote it. A file's one user owns both: `migrate` fills them in.
    r#"
    CREATE TABLE connection_secrets (
        connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        secrets       TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO connection_secrets SELECT id, secrets FROM connections WHERE secrets IS NOT NULL;
    UPDATE connections SET options = json_set(options, '$.AWS_SECRET_ACCESS_KEY', json('null'))
        WHERE json_extract(secrets, '$.AWS_SECRET_ACCESS_KEY') IS NOT NULL;
    UPDATE connections SET options = json_set(options, '$.ENCRYPTION_CUSTOMER_MANAGED_KEY', json('null'))
        WHERE json_extract(secrets, '$.ENCRYPTION_CUSTOMER_MANAGED_KEY') IS NOT NULL;
    ALTER TABLE connections DROP COLUMN secrets;
    ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE history ADD COLUMN role TEXT NOT NULL DEFAULT '';
    "#,
    // 5 -> 6: the same rule on `authentication`, written as comparisons. SQLite evaluates an
    // `IN` list of three or more values through a temporary index it builds for every row
    // written (a B-tree opened, a page zeroed, closed): a third of what inserting a connection
    // cost. Only the storage changes, so PostgreSQL's schema stays at 5.
    r#"
    CREATE TABLE connections_v6 (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        authentication TEXT NOT NULL
            CHECK (authentication = 'role' OR authentication = 'keys' OR authentication = 'default'),
        options        TEXT NOT NULL DEFAULT '{}',
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        validated_at   TEXT
    ) STRICT, WITHOUT ROWID;
    INSERT INTO connections_v6 (id, name, authentication, options, created_at, updated_at, validated_at)
        SELECT id, name, authentication, options, created_at, updated_at, validated_at FROM connections;
    DROP TABLE connections;
    ALTER TABLE connections_v6 RENAME TO connections;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;
