-- V7
CREATE S3 CONNECTION single_list PATH_DISPLAY_FILTERS = ('s3://bucket1/');
