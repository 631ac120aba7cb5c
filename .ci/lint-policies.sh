#!/usr/bin/env bash
# Every IAM policy connsql writes, linted by a third party: parliament (from PyPI). The S3
# policies come from SHOW S3 POLICY, the trust policy from SHOW TRUST POLICY, and the session
# policies from what `connsql credentials` actually sent to STS (the emulator keeps each
# issued session's policy). S3 and session policies must have no finding at all; a trust
# policy has no Resource by design (parliament reads every policy as an identity policy), the
# one finding allowed, as ARCHITECTURE.md says.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${XDG_CACHE_HOME:-$HOME/.cache}/connsql-ci/parliament-venv"
if [ ! -x "$venv/bin/parliament" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'parliament>=1.6,<2'
fi
# shellcheck source=.ci/emulator.sh
source .ci/emulator.sh AKIACONNSQLPOLICIES1
export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
connsql() { target/debug/connsql --catalog "$work/catalog.db" "$@"; }
role="AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-role' EXTERNAL_ID = 'a1b2c3d4'"
kms="ENCRYPTION_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'"
connsql --no-validate -q -c "
    CREATE S3 CONNECTION plain $role;
    CREATE S3 CONNECTION read_only $role READ_ONLY = TRUE;
    CREATE S3 CONNECTION filtered $role PATH_DISPLAY_FILTERS = ('s3://lake-raw/raw/', 's3://lake-raw/staging/', 's3://lake-out/');
    CREATE S3 CONNECTION odd_prefix $role PATH_DISPLAY_FILTER = 's3://lake-raw/a*b?\$c/';
    CREATE S3 CONNECTION kms $role $kms;
    CREATE S3 CONNECTION read_only_kms $role READ_ONLY = TRUE $kms PATH_DISPLAY_FILTER = 's3://lake-raw/raw/';
    CREATE S3 CONNECTION keys AWS_ACCESS_KEY_ID = 'AKIACONNSQLLOADER001' AWS_SECRET_ACCESS_KEY = 'long-term-secret-of-loader' READ_ONLY = TRUE;
    CREATE JOB copy_job AS COPY FROM S3 plain LOCATION = 's3://lake-raw/raw/' INTO db.t;
    CREATE JOB copy_delete DELETE_FILES_AFTER_LOAD = TRUE AS COPY FROM S3 plain LOCATION = 's3://lake-raw/raw/' INTO db.t;
    CREATE JOB copy_whole_bucket AS COPY FROM S3 plain LOCATION = 's3://lake-raw/' INTO db.t;
    CREATE JOB copy_odd AS COPY FROM S3 plain LOCATION = 's3://lake-raw/a*b?\$c/' INTO db.t;
    CREATE JOB insert_job AS INSERT INTO S3 plain LOCATION = 's3://lake-raw/out/' SELECT * FROM db.t;
    CREATE JOB insert_kms AS INSERT INTO S3 kms LOCATION = 's3://lake-raw/out/' SELECT * FROM db.t;
    CREATE JOB copy_keys AS COPY FROM S3 keys LOCATION = 's3://lake-raw/raw/' INTO db.t;"
mkdir -p "$work/policies" "$work/trust"
policy_of() { python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[0]["policy"], indent=2))'; }
for c in plain read_only filtered odd_prefix kms read_only_kms keys; do
    connsql --format json -c "SHOW S3 POLICY FOR CONNECTION $c" | policy_of >"$work/policies/s3-$c.json"
done
for ask in "read_only" "read_only_kms" "keys" "plain --job copy_job" "plain --job copy_delete" \
    "plain --job copy_whole_bucket" "plain --job copy_odd" "plain --job insert_job" \
    "kms --job insert_kms" "keys --job copy_keys"; do
    key=$(connsql credentials $ask | python3 -c 'import json, sys; print(json.load(sys.stdin)["AccessKeyId"])')
    name=$(echo "$ask" | sed 's/ --job /-/')
    python3 - "$endpoint/_emulator/sessions/$key" >"$work/policies/session-$name.json" <<'PY'
import json, sys, urllib.request
session = json.load(urllib.request.urlopen(sys.argv[1]))
print(json.dumps(json.loads(session["policy"]), indent=2))
PY
done
connsql --format json -c "SHOW TRUST POLICY FOR CONNECTION plain" | policy_of >"$work/trust/trust-plain.json"
ls "$work/policies" "$work/trust"
lint() { "$venv/bin/parliament" --directory "$1" --json --minimum_severity INFO --include-community-auditors </dev/null || true; }
findings=$(lint "$work/policies")
trust=$(lint "$work/trust")
python3 - "$findings" "$trust" <<'PY'
import json, sys
def parse(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]
policies, trust = parse(sys.argv[1]), parse(sys.argv[2])
for f in policies:
    print(f"{f['severity']} {f['issue']} {f['location']['filepath']}: {f['detail']}")
# A trust policy names a Principal instead of a Resource; parliament checks identity policies.
expected_trust = [f for f in trust if f["issue"] == "MALFORMED" and "neither Resource nor NotResource" in f["detail"]]
other_trust = [f for f in trust if f not in expected_trust]
for f in other_trust:
    print(f"trust: {f['severity']} {f['issue']}: {f['detail']}")
assert not policies, "S3 and session policies must lint clean"
assert not other_trust, "the trust policy has a finding besides its missing Resource"
print(f"parliament: S3 and session policies clean; trust policy: {len(expected_trust)} expected finding (no Resource)")
PY
