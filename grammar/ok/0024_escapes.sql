-- '' and "" escapes
CREATE S3 CONNECTION "say ""hi""" COMMENT = 'it''s';
