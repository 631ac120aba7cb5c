#!/usr/bin/env bash
# Third-party AWS clients use connections through `credential_process`: the AWS CLI and boto3
# (from PyPI, in a venv of their own) read the profiles SHOW AWS PROFILE prints, and call STS
# and S3 on connsql's emulator. They must see the assumed role, read what the connection may
# read, and be refused what its session policy leaves out.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${XDG_CACHE_HOME:-$HOME/.cache}/connsql-ci/aws-clients-venv"
if [ ! -x "$venv/bin/aws" ] || ! "$venv/bin/python" -c 'import boto3' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'awscli>=1.32,<2' 'boto3>=1.34,<2'
fi
# connsql's own identity, which it assumes the roles with, is the base key the emulator's
# world trusts. The clients use a profile, which the AWS CLI and boto3 prefer to it.
# shellcheck source=.ci/emulator.sh
source .ci/emulator.sh AKIACONNSQLCLIENTS01
export AWS_CONFIG_FILE="$work/aws config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
catalog="$work/team catalogs/catalog.db"
mkdir -p "$(dirname "$catalog")"
connsql() { target/debug/connsql --catalog "$catalog" "$@"; }
connsql -q -c "
    CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-role' EXTERNAL_ID = 'a1b2c3d4';
    CREATE S3 CONNECTION lake_ro AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-role' EXTERNAL_ID = 'a1b2c3d4' READ_ONLY = TRUE;
    CREATE S3 CONNECTION loader AWS_ACCESS_KEY_ID = 'AKIACONNSQLLOADER001' AWS_SECRET_ACCESS_KEY = 'long-term-secret-of-loader';
    CREATE JOB load AS COPY FROM S3 lake LOCATION = 's3://lake-raw/raw/' INTO db.orders;
    CREATE JOB export AS INSERT INTO S3 lake LOCATION = 's3://lake-raw/out/' SELECT * FROM db.orders;"
for profile in "lake" "lake_ro" "loader" "lake JOB load" "lake JOB export"; do
    connsql --format json -c "SHOW AWS PROFILE FOR CONNECTION $profile" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["config"])' >>"$AWS_CONFIG_FILE"
done
cat "$AWS_CONFIG_FILE"
aws=("$venv/bin/aws")
echo "== aws sts get-caller-identity"
who=$("${aws[@]}" --profile connsql-lake sts get-caller-identity --output text --query Arn)
echo "$who"
[ "$who" = "arn:aws:sts::123456789012:assumed-role/lake-role/connsql-lake" ]
echo "== aws s3 ls / cp"
"${aws[@]}" --profile connsql-lake_ro s3 ls s3://lake-raw/raw/2024/01/ | grep -q orders.json
echo "some rows" >"$work/rows.csv"
if "${aws[@]}" --profile connsql-lake_ro s3 cp "$work/rows.csv" s3://lake-raw/raw/new.csv 2>"$work/err"; then
    echo "a READ_ONLY connection's profile wrote to S3" >&2; exit 1
fi
grep -q 'no session policy allows the s3:PutObject action' "$work/err"
if "${aws[@]}" --profile connsql-lake-load s3 cp "$work/rows.csv" s3://lake-raw/raw/new.csv 2>"$work/err"; then
    echo "a COPY job's profile wrote to S3" >&2; exit 1
fi
grep -q 'AccessDenied' "$work/err"
"${aws[@]}" --profile connsql-lake-export s3 cp "$work/rows.csv" s3://lake-raw/out/rows.csv
if "${aws[@]}" --profile connsql-lake-export s3 cp "$work/rows.csv" s3://lake-raw/raw/rows.csv 2>/dev/null; then
    echo "an INSERT job's profile wrote outside its location" >&2; exit 1
fi
"${aws[@]}" --profile connsql-lake s3 cp s3://lake-raw/out/rows.csv - | grep -q "some rows"
echo "== boto3"
"$venv/bin/python" - <<'PY'
import boto3, botocore.exceptions
session = boto3.Session(profile_name="connsql-lake-load")
arn = session.client("sts").get_caller_identity()["Arn"]
assert arn.endswith("assumed-role/lake-role/connsql-load"), arn
s3 = session.client("s3")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake-raw", Prefix="raw/")["Contents"]]
assert keys == ["raw/2024/01/orders.json"], keys
try:
    s3.list_objects_v2(Bucket="lake-raw", Prefix="out/")
    raise SystemExit("a COPY job's profile listed outside its location")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e
# A key connection hands out temporary credentials, never its long-term secret.
frozen = boto3.Session(profile_name="connsql-loader").get_credentials().get_frozen_credentials()
assert frozen.access_key.startswith("ASIA") and frozen.token, frozen.access_key
assert frozen.secret_key != "long-term-secret-of-loader"
print("boto3: ok")
PY
if grep -rq 'long-term-secret-of-loader' "$XDG_CACHE_HOME"; then
    echo "the cache holds a long-term secret" >&2; exit 1
fi

echo "== AWS_PROFILE selects a connection's profile, cold cache and warm"
# As most people work: their own keys in the default profile, a connection's profile named by
# AWS_PROFILE; the tool passes the variable on to connsql, which finds its own identity
# without that profile.
rm -rf "$XDG_CACHE_HOME/connsql"
printf '[default]\naws_access_key_id = AKIACONNSQLCLIENTS01\naws_secret_access_key = base-secret-of-ci\n' \
    >"$AWS_SHARED_CREDENTIALS_FILE"
for round in cold warm; do
    who=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=connsql-lake \
        "${aws[@]}" sts get-caller-identity --output text --query Arn)
    echo "$round: $who"
    [ "$who" = "arn:aws:sts::123456789012:assumed-role/lake-role/connsql-lake" ]
done
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=connsql-lake_ro "$venv/bin/python" - <<'PY'
import boto3
s3 = boto3.client("s3")
assert s3.list_objects_v2(Bucket="lake-raw", Prefix="raw/")["KeyCount"] == 1
print("boto3 through AWS_PROFILE: ok")
PY
echo "aws clients: ok"
