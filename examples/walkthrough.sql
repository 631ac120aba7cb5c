-- Writes, seen refused: READ_ONLY and a role's own scope (run against examples/emulator.json).
-- A connection jobs may only read through, on a role that could write:
CREATE S3 CONNECTION lake_ro
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-writer'
    EXTERNAL_ID = 'a1b2c3d4'
    READ_ONLY = TRUE;
-- refused: a job that writes through a READ_ONLY connection
CREATE JOB export_ro AS INSERT INTO S3 lake_ro LOCATION = 's3://lake-raw/out/'
    SELECT * FROM default_glue_catalog.db.orders;
-- the write is not even tried: the row says skipped, and why
VALIDATE CONNECTION lake_ro ON 's3://lake-raw/out/' FOR WRITE;
-- The same role, writable: it may write under out/ and nowhere else.
CREATE S3 CONNECTION lake_rw
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-writer'
    EXTERNAL_ID = 'a1b2c3d4';
VALIDATE CONNECTION lake_rw ON 's3://lake-raw/out/' FOR WRITE;
-- denied, with the policy statement the role would need
VALIDATE CONNECTION lake_rw ON 's3://lake-raw/raw/' FOR WRITE;
