-- V20 and V21: a SYNC ingestion job with LOCATION, and a job writing a query's rows to S3
CREATE SYNC JOB j AS COPY FROM S3 my_s3_connection LOCATION = 's3://b/p/' INTO default_glue_catalog.db.t;
CREATE SYNC JOB export_j AS INSERT INTO S3 my_s3_connection LOCATION = 's3://b/out/' MAP_COLUMNS_BY_NAME SELECT * FROM default_glue_catalog.db.t WHERE $event_time BETWEEN run_start_time() AND run_end_time();
CREATE S3 CONNECTION after_the_jobs;
