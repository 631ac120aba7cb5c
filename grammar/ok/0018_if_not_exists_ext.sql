-- (ext) I21 in the reference: not Upsolver's, accepted as a marked extension
CREATE S3 CONNECTION IF NOT EXISTS c;
