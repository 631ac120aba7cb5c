-- V6
CREATE S3 CONNECTION one_filter PATH_DISPLAY_FILTER = 's3://bucket/prefix';
