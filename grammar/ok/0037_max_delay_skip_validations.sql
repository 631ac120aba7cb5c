-- Options from Upsolver's documented S3 ingestion and transformation jobs.
CREATE JOB load_late
    MAX_DELAY = 1 DAY
    SKIP_VALIDATIONS = ('EMPTY_PATH')
AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO default_glue_catalog.db.orders;
CREATE JOB export_all
    SKIP_VALIDATIONS = ('ALLOW_CARTESIAN_PRODUCT')
AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/'
    SELECT o.id, c.name FROM default_glue_catalog.db.orders o, default_glue_catalog.db.customers c;
