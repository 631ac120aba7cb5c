-- (ext) the two clauses contradict each other
CREATE OR REPLACE S3 CONNECTION IF NOT EXISTS c;
