-- V11: the last statement may omit ';'
CREATE S3 CONNECTION no_semicolon AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'ab'