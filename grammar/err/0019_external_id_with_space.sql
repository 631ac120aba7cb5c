-- I19: the caret sits on the space
CREATE S3 CONNECTION c AWS_ROLE = 'arn:aws:iam::123456789012:role/r' EXTERNAL_ID = 'has space';
