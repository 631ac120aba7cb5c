-- V14
ALTER S3 CONNECTION my_s3_connection
    SET AWS_ROLE = 'arn:aws:iam::123456789012:role/new'
    SET EXTERNAL_ID = 'rotated-id';
