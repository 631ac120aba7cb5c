-- V1: default credentials (Upsolver docs)
CREATE S3 CONNECTION my_s3_connection;
