-- Transformations are separated by commas; each expression parses as SQL; a key and a window.
CREATE JOB a COLUMN_TRANSFORMATIONS = (x = UPPER(y) z = 1) AS COPY FROM S3 lake LOCATION = 's3://lake-raw/a/' INTO c.d.a;
CREATE JOB b COLUMN_TRANSFORMATIONS = (x = UPPER(y,)) AS COPY FROM S3 lake LOCATION = 's3://lake-raw/b/' INTO c.d.b;
CREATE JOB c DEDUPLICATE_WITH = (COLUMNS = (id)) AS COPY FROM S3 lake LOCATION = 's3://lake-raw/c/' INTO c.d.c;
CREATE JOB d CONTENT_TYPE = (HEADER_LINE = 'a,b') AS COPY FROM S3 lake LOCATION = 's3://lake-raw/d/' INTO c.d.d;
