-- Job statements the checks refuse: an option of the other kind, a value off its list, no
-- location, both location forms, a non-editable option in ALTER, START_FROM without its pattern
CREATE JOB a CONTENT_TYPE = JSON AS INSERT INTO S3 c LOCATION = 's3://bkt/o/' SELECT 1;
CREATE JOB b CONTENT_TYPE = JSN AS COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.t;
CREATE JOB c2 AS COPY FROM S3 c INTO db.t;
CREATE JOB d AS COPY FROM S3 c LOCATION = 's3://bkt/p/' BUCKET = 'bkt' INTO db.t;
ALTER JOB e SET DATE_PATTERN = 'yyyy/MM';
CREATE JOB f START_FROM = NOW AS COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.t;
CREATE JOB g DATE_PATTERN = 'yyyy/MM/dd/HH/mm/ss' AS COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.t;
CREATE JOB h FILE_FORMAT = (TYPE = XLS) AS INSERT INTO S3 c LOCATION = 's3://bkt/o/' SELECT 1;
CREATE JOB i CONTENT_TYPE = JSON AS COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.t CONTENT_TYPE = CSV;
