#!/usr/bin/env bash
# Parse + check of 10,000 statements of SPEC's shape, counted in instructions by valgrind
# (steady where time on a shared machine is not), against bench/parse-instructions.baseline:
# more than 10 % over it fails. It counts the debug build `cargo test` leaves
# (target/debug/examples/parse_file), so CI builds nothing more; BENCHMARKS.md has the release
# figures. After a deliberate change, write the new count into the baseline file.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/examples/parse_file
if [ ! -x "$bin" ]; then
    echo "missing $bin: run cargo test (or cargo build --examples) first" >&2
    exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "== installing valgrind"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/statements.sql" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(10_000):
        f.write(
            f"CREATE S3 CONNECTION conn_{i:06}\n"
            f"    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader-{i:06}'\n"
            f"    EXTERNAL_ID = 'a1b2c3d4-{i:06}'\n    READ_ONLY = TRUE\n"
            f"    COMMENT = 'raw zone of team {i:06}';\n"
        )
PY
valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" "$work/statements.sql" \
    >"$work/stdout" 2>"$work/stderr"
grep -q '^10000 statements, 0 diagnostics' "$work/stdout" || { cat "$work/stdout" "$work/stderr"; exit 1; }
count=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/stderr")
baseline=$(tr -d '[:space:]' <bench/parse-instructions.baseline)
python3 - "$count" "$baseline" <<'PY'
import sys
count, baseline = int(sys.argv[1]), int(sys.argv[2])
ratio = count / baseline
print(f"parse + check, 10,000 statements (debug build): {count:,} instructions, "
      f"{ratio:.3f}x the baseline of {baseline:,}")
if ratio > 1.10:
    sys.exit("more than 10 % over the baseline: find what slowed parsing, or, if the cost is "
             "meant, write the new count into bench/parse-instructions.baseline")
PY
