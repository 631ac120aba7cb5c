CREATE S3 CONNECTION c; /* never closed
