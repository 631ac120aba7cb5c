-- STYLE's example
CREATE S3 CONNECTION lake
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader'
    EXTERNALID = 'a1b2c3d4';
