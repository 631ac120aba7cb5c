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
    // 4 -> 5: administrators manage, members reference (SPEC §9), enforced here, by the
    // server. Privileges are rows of `grants`; row-level security policies ask four functions
    // that run with the schema owner's rights (so they read `grants` whoever asks, and nothing
    // else) what the *current* role may do. Tables are open to every role at the table level
    // and closed row by row: a role neither granted nor owning sees no row of anything.
    //
    // - secrets move to `connection_secrets`, readable and writable by administrators only;
    //   their names stay with the other options as null (set, kept apart);
    // - connections, settings, validations and grants: members read, administrators write;
    // - jobs: members read; a job is created by a member with USAGE on its connection, owned
    //   by its creator, and changed or dropped by its owner (still a member) or an
    //   administrator; the owner cannot be changed to another role;
    // - history: members read; each row names the role that wrote it; members append only
    //   their own job changes;
    // - credential_issues: the audit of `connsql credentials`, appended by whoever may use
    //   the connection, for themselves; read by administrators; append-only.
    r#"
    CREATE TABLE connsql.connection_secrets (
        connection_id text PRIMARY KEY REFERENCES connsql.connections (id) ON DELETE CASCADE,
        secrets       text NOT NULL
    );
    INSERT INTO connsql.connection_secrets (connection_id, secrets)
        SELECT id, secrets FROM connsql.connections WHERE secrets IS NOT NULL;
    UPDATE connsql.connections SET options = (options::jsonb ||
        (SELECT jsonb_object_agg(k, null::text) FROM jsonb_object_keys(secrets::jsonb) k))::text
        WHERE secrets IS NOT NULL;
    ALTER TABLE connsql.connections DROP COLUMN secrets;

    ALTER TABLE connsql.jobs ADD COLUMN owner text;
    UPDATE connsql.jobs SET owner =
        (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'connsql');
    ALTER TABLE connsql.jobs ALTER COLUMN owner SET NOT NULL,
        ALTER COLUMN owner SET DEFAULT current_user;
    ALTER TABLE connsql.history ADD COLUMN role text;
    ALTER TABLE connsql.history DISABLE TRIGGER history_append_only;
    UPDATE connsql.history SET role =
        (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'connsql');
    ALTER TABLE connsql.history ENABLE TRIGGER history_append_only;
    ALTER TABLE connsql.history ALTER COLUMN role SET NOT NULL,
        ALTER COLUMN role SET DEFAULT current_user;

    CREATE TABLE connsql.grants (
        privilege     text NOT NULL CHECK (privilege IN ('admin', 'usage')),
        connection_id text REFERENCES connsql.connections (id) ON DELETE CASCADE,
        role          text NOT NULL,
        granted_by    text NOT NULL DEFAULT current_user,
        granted_at    text NOT NULL,
        CHECK (privilege = 'usage' OR connection_id IS NULL)
    );
    CREATE UNIQUE INDEX grants_on_catalog ON connsql.grants (privilege, role)
        WHERE connection_id IS NULL;
    CREATE UNIQUE INDEX grants_on_connection ON connsql.grants (connection_id, role)
        WHERE connection_id IS NOT NULL;

    CREATE FUNCTION connsql.append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
    CREATE TABLE connsql.credential_issues (
        seq             bigserial PRIMARY KEY,
        at              text NOT NULL,
        role            text NOT NULL DEFAULT current_user,
        connection_id   text NOT NULL,
        connection_name text NOT NULL,
        job_name        text,
        session_name    text NOT NULL,
        expiration      text NOT NULL
    );
    CREATE INDEX credential_issues_by_connection ON connsql.credential_issues (connection_id, seq);
    CREATE TRIGGER credential_issues_append_only BEFORE UPDATE OR DELETE
        ON connsql.credential_issues FOR EACH ROW EXECUTE FUNCTION connsql.append_only();

    -- Whether `who` holds `wanted` on the catalog, directly, through a role it is a member
    -- of, or through PUBLIC. A granted role that was dropped since grants nothing.
    CREATE FUNCTION connsql.granted_on_catalog(who name, wanted text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT EXISTS (
            SELECT 1 FROM connsql.grants g
            WHERE g.connection_id IS NULL AND g.privilege = wanted
              AND (g.role = 'public' OR EXISTS (
                  SELECT 1 FROM pg_roles r
                  WHERE r.rolname = g.role AND pg_has_role(who, r.oid, 'MEMBER'))))
    $$;
    CREATE FUNCTION connsql.granted_on(who name, conn text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT EXISTS (
            SELECT 1 FROM connsql.grants g
            WHERE g.connection_id = conn
              AND (g.role = 'public' OR EXISTS (
                  SELECT 1 FROM pg_roles r
                  WHERE r.rolname = g.role AND pg_has_role(who, r.oid, 'MEMBER'))))
    $$;
    -- The schema's owner (and whoever is a member of that role) administers the catalog.
    CREATE FUNCTION connsql.is_admin(who name) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT pg_has_role(who, (SELECT nspowner FROM pg_namespace WHERE nspname = 'connsql'), 'MEMBER')
            OR connsql.granted_on_catalog(who, 'admin')
    $$;
    CREATE FUNCTION connsql.is_member(who name) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT connsql.is_admin(who) OR connsql.granted_on_catalog(who, 'usage')
    $$;
    CREATE FUNCTION connsql.may_use(who name, conn text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT connsql.is_admin(who)
            OR (connsql.granted_on_catalog(who, 'usage') AND connsql.granted_on(who, conn))
    $$;

    ALTER TABLE connsql.settings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.connections ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.connection_secrets ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.validations ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.jobs ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.history ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.grants ENABLE ROW LEVEL SECURITY;
    ALTER TABLE connsql.credential_issues ENABLE ROW LEVEL SECURITY;

    -- `(SELECT f(current_user))` is evaluated once per statement, not once per row.
    CREATE POLICY members_read ON connsql.settings FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY admins_write ON connsql.settings FOR ALL
        USING ((SELECT connsql.is_admin(current_user)))
        WITH CHECK ((SELECT connsql.is_admin(current_user)));
    CREATE POLICY members_read ON connsql.connections FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY admins_write ON connsql.connections FOR ALL
        USING ((SELECT connsql.is_admin(current_user)))
        WITH CHECK ((SELECT connsql.is_admin(current_user)));
    CREATE POLICY admins_only ON connsql.connection_secrets FOR ALL
        USING ((SELECT connsql.is_admin(current_user)))
        WITH CHECK ((SELECT connsql.is_admin(current_user)));
    CREATE POLICY members_read ON connsql.validations FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY admins_write ON connsql.validations FOR ALL
        USING ((SELECT connsql.is_admin(current_user)))
        WITH CHECK ((SELECT connsql.is_admin(current_user)));
    CREATE POLICY members_read ON connsql.grants FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY admins_write ON connsql.grants FOR ALL
        USING ((SELECT connsql.is_admin(current_user)))
        WITH CHECK ((SELECT connsql.is_admin(current_user)));

    CREATE POLICY members_read ON connsql.jobs FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY create_with_usage ON connsql.jobs FOR INSERT
        WITH CHECK ((SELECT connsql.is_admin(current_user))
            OR (owner = current_user AND connsql.may_use(current_user, connection_id)));
    CREATE POLICY owner_changes ON connsql.jobs FOR UPDATE
        USING ((SELECT connsql.is_admin(current_user))
            OR (owner = current_user AND (SELECT connsql.is_member(current_user))))
        WITH CHECK ((SELECT connsql.is_admin(current_user))
            OR (owner = current_user AND connsql.may_use(current_user, connection_id)));
    CREATE POLICY owner_drops ON connsql.jobs FOR DELETE
        USING ((SELECT connsql.is_admin(current_user))
            OR (owner = current_user AND (SELECT connsql.is_member(current_user))));

    CREATE POLICY members_read ON connsql.history FOR SELECT
        USING ((SELECT connsql.is_member(current_user)));
    CREATE POLICY own_rows ON connsql.history FOR INSERT
        WITH CHECK ((SELECT connsql.is_admin(current_user))
            OR (role = current_user AND object = 'job' AND (SELECT connsql.is_member(current_user))));

    CREATE POLICY admins_read ON connsql.credential_issues FOR SELECT
        USING ((SELECT connsql.is_admin(current_user)));
    CREATE POLICY own_issues ON connsql.credential_issues FOR INSERT
        WITH CHECK (role = current_user AND connsql.may_use(current_user, connection_id));

    GRANT USAGE ON SCHEMA connsql TO PUBLIC;
    GRANT SELECT ON connsql.meta TO PUBLIC;
    GRANT SELECT, INSERT, UPDATE, DELETE ON connsql.settings, connsql.connections,
        connsql.connection_secrets, connsql.validations, connsql.jobs, connsql.grants TO PUBLIC;
    GRANT SELECT, INSERT ON connsql.history, connsql.credential_issues TO PUBLIC;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA connsql TO PUBLIC;
    "#,
];

/// The key of the advisory lock that makes creating the schema one step among racing
/// processes ("conn").
pub const CREATE_LOCK: i64 = 0x636f_6e6e;

/// The schema version this build writes. The logical schema is SQLite's; a migration that only
/// changes how one engine stores it (SQLite's 6) moves only that engine's number.
pub const CURRENT_VERSION: i64 = BASELINE + MIGRATIONS.len() as i64;

#[cfg(test)]
mod tests {
    #[test]
    fn postgresql_is_at_schema_5_where_sqlite_stores_the_same_tables_at_6() {
        assert_eq!(super::CURRENT_VERSION, 5);
        assert_eq!(crate::catalog::CURRENT_VERSION, 6);
    }
}
