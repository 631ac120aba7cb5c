-- (ext) I22 in the reference
CREATE OR REPLACE S3 CONNECTION c COMMENT = 'replaced';
