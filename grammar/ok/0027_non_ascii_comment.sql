-- non-ASCII text in strings and quoted names
CREATE S3 CONNECTION "données" COMMENT = 'zone brute — été';
