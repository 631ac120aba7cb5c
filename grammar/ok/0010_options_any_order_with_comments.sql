-- V10
CREATE S3 CONNECTION c2 -- creds
    EXTERNAL_ID = 'ext-123'
    AWS_ROLE = 'arn:aws:iam::123456789012:role/r'
    /* display */ PATH_DISPLAY_FILTERS = ('s3://b-1/p/');
