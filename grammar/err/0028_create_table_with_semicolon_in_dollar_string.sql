-- a ';' inside a dollar-quoted body does not end the statement
CREATE TABLE t (a INT) AS $$ x; y $$;
DROP CONNECTION x;
