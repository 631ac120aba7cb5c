-- (ext) The ~/.aws/config stanza that uses a connection, or one of its jobs, through
-- credential_process.
SHOW AWS PROFILE FOR CONNECTION my_s3_connection;
show aws profile for connection "My Lake" job load_orders;
