-- V22
create s3 connection lc_conn aws_role='arn:aws:iam::123456789012:role/r' external_id='ab';
