-- one bad statement does not hide the next
CREATE S3 CONNECTION a READ_ONLY = 'no';
CREATE S3 CONNECTION b AWS_ROLE = 'arn:aws:iam::123:role/r';
CREATE S3 CONNECTION good;
DROP CONNECTION;
