-- V19: another connection type
CREATE GLUE_CATALOG CONNECTION my_glue_catalog_connection DEFAULT_STORAGE_CONNECTION = my_s3_storage_connection DEFAULT_STORAGE_LOCATION = 's3://sqlake/my_glue_catalog_table_files/';
