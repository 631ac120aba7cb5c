-- I5
CREATE S3 CONNECTION c COMMENT = 'unterminated;
