-- Run by examples/demo.sh against the local STS emulator (examples/emulator.json).

-- Accepted: the role trusts the demo identity with this external ID.
CREATE S3 CONNECTION lake
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader'
    EXTERNAL_ID = 'a1b2c3d4'
    READ_ONLY = TRUE
    COMMENT = 'raw zone';

-- Refused: one character off in the external ID. The error names the caller and prints the
-- trust policy the role would need.
CREATE S3 CONNECTION typo
    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader'
    EXTERNAL_ID = 'a1b2c3d5';

SHOW CONNECTIONS;
SHOW S3 POLICY FOR CONNECTION lake;
