-- FOR names one of READ, WRITE, LIST, DELETE, ALL.
VALIDATE CONNECTION lake ON 's3://lake-raw/raw/' FOR UPLOAD;
