-- I16
CREATE S3 CONNECTION c AWS_ROLE = 'arn:aws:iam::12345:role/r';
