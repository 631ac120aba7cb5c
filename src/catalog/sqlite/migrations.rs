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
    // secret options apart (JSON, or NULL), instead of a column per option. A JSON merge
    // patch onto `{}` leaves out what is NULL. `authentication` stays, derived, for readers.
    r#"
    ALTER TABLE connections ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE connections ADD COLUMN secrets TEXT;
    UPDATE connections SET
        options = json_patch('{}', json_object(
            'AWS_ROLE', aws_role,
            'EXTERNAL_ID', external_id,
            'AWS_ACCESS_KEY_ID', aws_access_key_id,
            'PATH_DISPLAY_FILTERS', CASE WHEN path_display_filters = '[]' THEN NULL
                                         ELSE json(path_display_filters) END,
            'READ_ONLY', CASE WHEN read_only THEN json('true') END,
            'ENCRYPTION_KMS_KEY', encryption_kms_key,
            'COMMENT', comment)),
        secrets = CASE WHEN aws_secret_access_key IS NULL
                        AND encryption_customer_managed_key IS NULL THEN NULL
                   ELSE json_patch('{}', json_object(
                       'AWS_SECRET_ACCESS_KEY', aws_secret_access_key,
                       'ENCRYPTION_CUSTOMER_MANAGED_KEY', encryption_customer_managed_key)) END;
    ALTER TABLE connections DROP COLUMN aws_role;
    ALTER TABLE connections DROP COLUMN external_id;
    ALTER TABLE connections DROP COLUMN aws_access_key_id;
    ALTER TABLE connections DROP COLUMN aws_secret_access_key;
    ALTER TABLE connections DROP COLUMN path_display_filters;
    ALTER TABLE connections DROP COLUMN read_only;
    ALTER TABLE connections DROP COLUMN encryption_kms_key;
    ALTER TABLE connections DROP COLUMN encryption_customer_managed_key;
    ALTER TABLE connections DROP COLUMN comment;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;
