-- V12: what Upsolver's dbt adapter sends
ALTER S3 CONNECTION my_s3_connection SET COMMENT = 'connection exists, alter connection';
