-- Upsolver's documented connection examples, as they appear in its docs. Run them offline:
--   connsql --no-validate -f examples/quickstart.sql

-- Default credentials: the machine's own AWS identity.
CREATE S3 CONNECTION my_s3_connection;

-- The full example: a role, display filters, read-only, a KMS key and a comment.
CREATE S3 CONNECTION s3_example
    AWS_ROLE = 'arn:aws:iam::123456789012:role/upsolver-sqlake-role'
    PATH_DISPLAY_FILTERS = ('s3://bucket1/', 's3://bucket2/folder-path/')
    READ_ONLY = TRUE
    ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
    COMMENT = 'My new S3 connection';

-- A role with its external ID (Upsolver's samples connection).
CREATE S3 CONNECTION upsolver_s3_samples
    AWS_ROLE = 'arn:aws:iam::949275490180:role/upsolver_samples_role'
    EXTERNAL_ID = 'SAMPLES'
    READ_ONLY = TRUE;

-- What Upsolver's dbt adapter sends for a connection that exists.
ALTER S3 CONNECTION my_s3_connection SET COMMENT = 'connection exists, alter connection';

SHOW CONNECTIONS;

-- Jobs reference connections by name. Upsolver's sample job: copy the orders of its samples
-- bucket into a table.
CREATE JOB load_orders_raw_data_from_s3
    CONTENT_TYPE = JSON
    AS COPY FROM S3 upsolver_s3_samples BUCKET = 'upsolver-samples' PREFIX = 'orders/'
    INTO default_glue_catalog.upsolver_samples.orders_raw_data;

-- A job that writes needs a connection that is not READ_ONLY.
CREATE SYNC JOB export_orders
    RUN_INTERVAL = 1 HOUR
    AS INSERT INTO S3 my_s3_connection LOCATION = 's3://bucket/exports/orders/'
    MAP_COLUMNS_BY_NAME
    SELECT orderid, nettotal FROM default_glue_catalog.upsolver_samples.orders_raw_data
    WHERE $event_time BETWEEN run_start_time() AND run_end_time();

SHOW JOBS;

-- A connection that jobs use is not dropped by accident: this one names the job and stops.
-- DROP CONNECTION my_s3_connection;

-- A no-op when the connection is missing.
DROP CONNECTION IF EXISTS "my_test_conn";
