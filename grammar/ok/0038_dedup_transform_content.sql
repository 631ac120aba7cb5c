-- Upsolver's documented S3 ingestion forms: a content type with its own options, rows loaded
-- once per key within a window, and columns computed while loading.
CREATE JOB load_csv
    CONTENT_TYPE = (TYPE = CSV INFER_TYPES = FALSE HEADER_LINE = 'id,email,ts')
    DEDUPLICATE_WITH = (COLUMNS = (id, "Event Time"), WINDOW = 12 HOURS)
    COLUMN_TRANSFORMATIONS = (email_hash = MD5(email), ts = CAST($event_time AS TIMESTAMP))
AS COPY FROM S3 lake LOCATION = 's3://lake-raw/csv/' INTO default_glue_catalog.db.rows;
CREATE JOB load_logs
    CONTENT_TYPE = (TYPE = REGEX PATTERN = '(?<level>\w+) (?<message>.*)' MULTI_LINE = TRUE)
    DEDUPLICATE_WITH = (COLUMN = id, WINDOW = 1 DAY)
AS COPY FROM S3 lake LOCATION = 's3://lake-raw/logs/' INTO default_glue_catalog.db.logs;
