-- ADMIN is granted on the catalog; a connection takes USAGE.
GRANT ADMIN ON CONNECTION lake TO analyst;
