-- Job statements that do not parse: a query that is not SQL, a missing AS, a missing INTO
CREATE JOB a AS INSERT INTO S3 c LOCATION = 's3://bkt/o/' SELECT FROM WHERE;
CREATE JOB b COMMENT = 'x' COPY FROM S3 c LOCATION = 's3://bkt/p/' INTO db.t;
CREATE JOB c2 AS COPY FROM S3 c LOCATION = 's3://bkt/p/';
CREATE JOB d AS UPDATE S3 c;
