-- connsql grants on its catalog and connections; a table's privileges are the server's.
GRANT USAGE ON SCHEMA connsql TO analyst;
