-- (ext) Who may do what on a team catalog (SPEC §9): administrators manage connections and
-- grants, members reference connections they have USAGE on.
GRANT ADMIN ON CATALOG TO platform_admins;
GRANT USAGE ON CATALOG TO analyst, "Data Engineers";
grant usage on connection lake to analyst;
GRANT USAGE ON CONNECTION "My Lake" TO PUBLIC;
REVOKE USAGE ON CONNECTION lake FROM analyst;
REVOKE USAGE ON CATALOG FROM "Data Engineers";
REVOKE ADMIN ON CATALOG FROM platform_admins, PUBLIC;
SHOW GRANTS;
SHOW GRANTS ON CATALOG;
SHOW GRANTS ON CONNECTION lake;
SHOW GRANTS TO analyst;
SHOW CREDENTIAL ISSUES;
SHOW CREDENTIAL ISSUES FOR CONNECTION lake;
