-- role paths and other partitions
CREATE S3 CONNECTION gov AWS_ROLE = 'arn:aws-us-gov:iam::123456789012:role/team/data/reader' EXTERNAL_ID = 'x:/y=z,@.+-_';
