-- V18
COPY FROM S3 upsolver_s3 BUCKET = 'upsolver-samples' PREFIX = 'orders/' INTO default_glue_catalog.db.orders;
