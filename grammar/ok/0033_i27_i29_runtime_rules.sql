-- I27, I28, I29 are well formed: their errors need the catalog (a used connection dropped, a
-- missing connection altered, a job on an unknown connection), and are tested through the
-- binary in tests/jobs.rs.
DROP CONNECTION my_s3_connection;
ALTER S3 CONNECTION missing_conn SET COMMENT = 'x';
CREATE JOB j AS COPY FROM S3 no_such_conn LOCATION = 's3://b/' INTO default_glue_catalog.db.t;
