-- V4: lower case, a block comment first, ';' on its own line
/* Create a connection to S3 log bucket */
create s3 connection logs_bucket_conn
  aws_role = 'arn:aws:iam::433987883887:role/royon_ro_role'
  external_id = 'ROYON'
;
