# Sourced by the CI scripts that drive connsql against its STS/S3 emulator: writes the world
# (a base identity with the access key given as $1, a loader user, a role that trusts the base
# identity with external ID a1b2c3d4, one bucket) into a new $work directory, starts the debug
# emulator on it, and exports its endpoint and an environment without instance metadata.
# $work and the emulator go away when the script exits.
base_key="$1"
work=$(mktemp -d)
cat >"$work/world.json" <<JSON
{
  "users": [{ "access_key_id": "$base_key", "secret_access_key": "base-secret-of-ci",
              "arn": "arn:aws:iam::111111111111:user/ci",
              "permissions": { "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }] } },
            { "access_key_id": "AKIACONNSQLLOADER001", "secret_access_key": "long-term-secret-of-loader",
              "arn": "arn:aws:iam::123456789012:user/loader",
              "permissions": { "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }] } }],
  "roles": [{ "arn": "arn:aws:iam::123456789012:role/lake-role",
              "trust": [{ "principal": "arn:aws:iam::111111111111:user/ci", "external_id": "a1b2c3d4" }],
              "permissions": { "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }] } }],
  "buckets": [{ "name": "lake-raw", "objects": ["raw/2024/01/orders.json"] }]
}
JSON
target/debug/connsql-sts-emulator --config "$work/world.json" >"$work/emulator.out" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    grep -q listening "$work/emulator.out" 2>/dev/null && break
    sleep 0.1
done
endpoint=$(sed -n 's/^listening on //p' "$work/emulator.out")
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_STS="$endpoint" AWS_ENDPOINT_URL_S3="$endpoint"
export AWS_ACCESS_KEY_ID="$base_key" AWS_SECRET_ACCESS_KEY=base-secret-of-ci
export XDG_CACHE_HOME="$work/cache"
