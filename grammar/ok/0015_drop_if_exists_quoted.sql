-- V15: Upsolver's documented example
DROP CONNECTION IF EXISTS "my_test_conn";
