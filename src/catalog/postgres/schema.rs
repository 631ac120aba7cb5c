//! The catalog schema in PostgreSQL: the `connsql` namespace, at the same version as the
//! SQLite schema. Names compare and sort byte by byte (`COLLATE "C"`), as in SQLite.

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

/// The key of the advisory lock that makes creating the schema one step among racing
/// processes ("conn").
pub const CREATE_LOCK: i64 = 0x636f_6e6e;
