-- SPEC's example
CREATE S3 CONNECTION lake
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader'
    EXTERNAL_ID = 'a1b2c3d4'
    READ_ONLY = TRUE
    COMMENT = 'raw zone';
