-- (ext) S3 actions proven with a connection's credentials, one row each; and a job's location
-- proven for what the job does.
VALIDATE CONNECTION lake ON 's3://lake-raw/raw/';
VALIDATE CONNECTION lake ON 's3://lake-raw/out/' FOR WRITE;
validate connection lake on 's3://lake-raw/' for all;
VALIDATE JOB load_orders;
