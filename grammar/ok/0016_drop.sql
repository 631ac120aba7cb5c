-- V16
DROP CONNECTION my_s3_connection;
