-- V17: a user's CI script, lower case, the older BUCKET/PREFIX source form
create job royon_staging_s3_access COMPUTE_CLUSTER = "Default Compute" as copy from s3 logs_bucket_conn bucket = 'dbxflowlogs3logging' prefix = '/' into default_glue_catalog.royon.s3access_staging_tbl ;
