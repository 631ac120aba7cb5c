-- The other job statements, and DROP CONNECTION's RESTRICT/CASCADE (ext)
ALTER JOB export_orders SET COMMENT = 'orders, every minute' SET END_AT = NOW;
SHOW JOBS;
SHOW JOBS LIKE 'export%';
SHOW JOBS FOR CONNECTION my_s3_connection;
SHOW JOBS LIKE '%' FOR CONNECTION "My Conn";
DESCRIBE JOB export_orders;
SHOW CREATE JOB "extract data from s3";
DROP JOB IF EXISTS export_orders;
DROP JOB j;
DROP CONNECTION my_s3_connection RESTRICT;
DROP S3 CONNECTION IF EXISTS logs_bucket_conn CASCADE;
