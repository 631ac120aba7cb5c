-- (ext) I24 in the reference, and the form without S3
ALTER S3 CONNECTION c RENAME TO d;
ALTER CONNECTION d RENAME TO "Quoted Name";
