#!/usr/bin/env bash
# Validates connections against moto's STS server: someone else's implementation of the STS
# query protocol proves connsql's requests and its reading of the answers. moto accepts any
# AssumeRole, so only the happy path is checked here (refusals are tested with our emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${XDG_CACHE_HOME:-$HOME/.cache}/connsql-ci/moto-venv"
if [ ! -x "$venv/bin/moto_server" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
    sleep 0.1
done
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIAMOTOTESTING00001 AWS_SECRET_ACCESS_KEY=testing
out=$(target/debug/connsql --catalog "$work/catalog.db" --format json -c "
    CREATE S3 CONNECTION moto_role AWS_ROLE = 'arn:aws:iam::123456789012:role/moto-reader' EXTERNAL_ID = 'a1b2c3d4';
    CREATE S3 CONNECTION moto_keys AWS_ACCESS_KEY_ID = 'AKIAMOTOTESTING00002' AWS_SECRET_ACCESS_KEY = 'testing';
    CREATE S3 CONNECTION moto_default;
    VALIDATE CONNECTION moto_role;" 2>"$work/stderr")
echo "$out"
cat "$work/stderr"
python3 - "$out" <<'PY'
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [l["status"] for l in lines] == ["created", "created", "created", "validated"], lines
assert lines[0]["assumed_role_arn"].startswith("arn:aws:sts::123456789012:assumed-role/moto-reader/connsql-moto_role"), lines[0]
assert all(l["caller_arn"] for l in lines), lines
print("moto interop: ok")
PY
# moto does not enforce trust policies, so the call without the external ID succeeds too:
grep -q 'warning\[external-id-not-required\]' "$work/stderr"

# S3's wire format, against moto's S3: a display filter listed at CREATE, and every action of
# VALIDATE … ON … FOR ALL (moto allows all of them).
"$venv/bin/python" - "$port" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                  aws_access_key_id="AKIAMOTOTESTING00001", aws_secret_access_key="testing")
s3.create_bucket(Bucket="moto-lake")
s3.put_object(Bucket="moto-lake", Key="raw/2024/orders.json", Body=b"{}")
PY
rows=$(target/debug/connsql --catalog "$work/catalog.db" --format json -c "
    CREATE S3 CONNECTION moto_lake AWS_ROLE = 'arn:aws:iam::123456789012:role/moto-reader' EXTERNAL_ID = 'a1b2c3d4'
        PATH_DISPLAY_FILTER = 's3://moto-lake/raw/';
    VALIDATE CONNECTION moto_lake ON 's3://moto-lake/raw/' FOR ALL;" 2>"$work/stderr")
echo "$rows"
python3 - "$rows" <<'PY'
import json, sys
created, actions = [json.loads(l) for l in sys.argv[1].splitlines()]
assert created["status"] == "created", created
assert [(r["action"], r["status"]) for r in actions] == [
    ("LIST", "ok"), ("READ", "ok"), ("WRITE", "ok"), ("DELETE", "ok")], actions
assert "orders.json" in actions[1]["detail"], actions
print("moto S3 interop: ok")
PY
