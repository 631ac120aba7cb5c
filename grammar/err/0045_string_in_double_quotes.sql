CREATE S3 CONNECTION lake AWS_ROLE = "arn:aws:iam::123456789012:role/lake-reader";
