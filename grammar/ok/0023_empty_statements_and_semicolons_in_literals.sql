-- ';;' is an empty statement; ';' inside strings, names and comments does not end one
;;
CREATE S3 CONNECTION "semi;colon" COMMENT = 'a;b -- not a comment' -- c;
/* ; */ ;
