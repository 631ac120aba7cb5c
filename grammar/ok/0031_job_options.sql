-- Job options of every shape: enumerations, names, timestamps, intervals, groups, lists
CREATE OR REPLACE SYNC JOB staging_job_ingest_vpcflowlogs
    compute_cluster = "Default Compute"
    start_from = beginning
    date_pattern = 'yyyy/MM/dd/HH/mm'
    content_type = parquet
    END_AT = TIMESTAMP '2030-01-01 00:00:00'
    RUN_PARALLELISM = 2
    COMMIT_INTERVAL = 5 MINUTES
    EXCLUDE_COLUMNS = ('password', 'card.*')
    COMMENT = 'VPC flow logs'
AS COPY FROM S3 logs_bucket_conn
    LOCATION = 's3://dbxflowlog/AWSLogs/433987883887/vpcflowlogs/us-east-1/'
    FILE_PATTERN = '.*[.]parquet'
INTO default_glue_catalog.cicd.staging_raw_vpcflowlogs;

CREATE JOB IF NOT EXISTS export_orders
    FILE_FORMAT = (TYPE = CSV)
    COMPRESSION = GZIP
    RUN_INTERVAL = 1 MINUTE
    OUTPUT_OFFSET = 2 MINUTES
AS INSERT INTO S3 my_s3_connection
    LOCATION = 's3://my-bucket/exports/{time:yyyy/MM/dd}/'
WITH recent AS (SELECT * FROM default_glue_catalog.my_db.orders_raw WHERE $event_time BETWEEN run_start_time() AND run_end_time())
SELECT r.order_id, c.name FROM recent r JOIN default_glue_catalog.my_db.customers c ON r.customer_id = c.id;
