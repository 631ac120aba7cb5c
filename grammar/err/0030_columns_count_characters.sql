-- the caret's column counts characters: é and — are one each
CREATE S3 CONNECTION "données—été" COMENT = 'é';
