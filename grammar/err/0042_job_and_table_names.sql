-- A missing job or table name is called what it is, not a connection name.
DROP JOB;
CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO;
