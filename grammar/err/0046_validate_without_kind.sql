-- VALIDATE and DESCRIBE name the kind of object they act on.
VALIDATE lake;
DESCRIBE;
