//! The catalog schema in PostgreSQL: the `connsql` namespace, at the same version as the
//! SQLite schema. A new catalog is made at version 3 (the first PostgreSQL catalogs were) and
//! brought forward by the same migrations as an older one, so both paths are one. Names
//! compare and sort byte by byte (`COLLATE "C"`), as in SQLite.

/// The version `CREATE` makes.
pub const BASELINE: i64 = 3;

/// Schema version 3 (SQLite's migrations 1–3), made at once on a database without it.
pub const CREATE: &str = r#"
CREATE SCHEMA IF NOT EXISTS connsql;
CREATE TABLE connsql.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE connsql.settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE connsql.connections (
    id                              text PRIMARY KEY,
    name                            text COLLATE "C" NOT NULL UNIQUE,
    authentication                  text NOT NULL CHECK (authentication IN ('role', 'keys', 'default')),
    aws_role                        text,
    external_id                     text,
    aws_access_key_id               text,
    aws_secret_access_key           text,
    path_display_filters            text NOT NULL DEFAULT '[]',
    read_only                       boolean NOT NULL DEFAULT false,
    encryption_kms_key              text,
    encryption_customer_managed_key text,
    comment                         text,
    created_at                      text NOT NULL,
    updated_at                      text NOT NULL,
    validated_at                    text
);
CREATE TABLE connsql.history (
    seq             bigserial PRIMARY KEY,
    at              text NOT NULL,
    os_user         text NOT NULL,
    action          text NOT NULL,
    connection_id   text NOT NULL,
    connection_name text NOT NULL,
    statement       text NOT NULL,
    object          text NOT NULL DEFAULT 'connection'
);
CREATE FUNCTION connsql.history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'history is append-only'; END $$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON connsql.history
    FOR EACH ROW EXECUTE FUNCTION connsql.history_is_append_only();
CREATE TABLE connsql.validations (
    seq              bigserial PRIMARY KEY,
    connection_id    text NOT NULL,
    at               text NOT NULL,
    caller_arn       text,
    assumed_role_arn text,
    warnings         text NOT NULL DEFAULT '[]'
);
CREATE INDEX validations_by_connection ON connsql.validations (connection_id, seq);
CREATE TABLE connsql.jobs (
    id             text PRIMARY KEY,
    name           text COLLATE "C" NOT NULL UNIQUE,
    connection_id  text NOT NULL REFERENCES connsql.connections (id),
    kind           text NOT NULL CHECK (kind IN ('copy', 'insert')),
    sync           boolean NOT NULL,
    writes         boolean NOT NULL,
    location       text NOT NULL,
    target         text,
    source_tables  text NOT NULL DEFAULT '[]',
    options        text NOT NULL DEFAULT '{}',
    definition     text NOT NULL,
    created_at     text NOT NULL,
    updated_at     text NOT NULL,
    validated_at   text
);
CREATE INDEX jobs_by_connection ON connsql.jobs (connection_id, writes, name);
"#;

/// Migration `i` takes a catalog from version `BASELINE + i` to the next, as SQLite's do.
pub const MIGRATIONS: &[&str] = &[
    // 3 -> 4: a connection stored by its option table: its options by name (JSON) and its
    // secret options apart (JSON, or NULL). `authentication` stays, derived, for readers.
    r#"
    ALTER TABLE connsql.connections ADD COLUMN options text NOT NULL DEFAULT '{}';
    ALTER TABLE connsql.connections ADD COLUMN secrets text;
    UPDATE connsql.connections SET
        options = jsonb_strip_nulls(jsonb_build_object(
            'AWS_ROLE', aws_role,
            'EXTERNAL_ID', external_id,
            'AWS_ACCESS_KEY_ID', aws_access_key_id,
            'PATH_DISPLAY_FILTERS', CASE WHEN path_display_filters = '[]' THEN NULL
                                         ELSE path_display_filters::jsonb END,
            'READ_ONLY', CASE WHEN read_only THEN true END,
            'ENCRYPTION_KMS_KEY', encryption_kms_key,
            'COMMENT', comment))::text,
        secrets = CASE WHEN aws_secret_access_key IS NULL
                        AND encryption_customer_managed_key IS NULL THEN NULL
                   ELSE jsonb_strip_nulls(jsonb_build_object(
                       'AWS_SECRET_ACCESS_KEY', aws_secret_access_key,
                       'ENCRYPTION_CUSTOMER_MANAGED_KEY', encryption_customer_managed_key))::text END;
    ALTER TABLE connsql.connections
        DROP COLUMN aws_role, DROP COLUMN external_id, DROP COLUMN aws_access_key_id,
        DROP COLUMN aws_secret_access_key, DROP COLUMN path_display_filters,
        DROP COLUMN read_only, DROP COLUMN encryption_kms_key,
        DROP COLUMN encryption_customer_managed_key, DROP COLUMN comment;
    "#,
];

/// The key of the advisory lock that makes creating the schema one step among racing
/// processes ("conn").
pub const CREATE_LOCK: i64 = 0x636f_6e6e;

#[cfg(test)]
mod tests {
    #[test]
    fn postgresql_reaches_the_version_sqlite_does() {
        assert_eq!(
            super::BASELINE + super::MIGRATIONS.len() as i64,
            crate::catalog::CURRENT_VERSION
        );
    }
}
