#!/usr/bin/env python3
"""Validation benchmark: role connections proven against the local STS emulator with injected
latency, beside the limit that latency sets, in the same run.

  python3 bench/validation.py [--bin target/release] [--count 1000] [--latency-ms 50]

1. `count` role connections, each with its own role and external ID, in one batch: every one
   needs two AssumeRole calls (with the external ID, and the refused one without it) and its S3
   access proven (ListBuckets with the assumed credentials), plus one GetCallerIdentity for the
   run. With 16 calls in flight the limit is ceil(calls/16) x latency.
   The same kind of batch with --parallel 1 (on fewer connections) shows the one-after-another
   baseline.
2. connsql's own time per round trip: one validated CREATE (four calls one after another:
   GetCallerIdentity, AssumeRole twice, ListBuckets) against the same CREATE with --no-validate,
   minus four times the latency.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request

KEY, SECRET, CALLER = "AKIACONNSQLBENCH0001", "bench-secret", "arn:aws:iam::111111111111:user/bench"


def start_emulator(binary, world, latency, work):
    path = os.path.join(work, "world.json")
    with open(path, "w") as f:
        json.dump(world, f)
    proc = subprocess.Popen([binary, "--config", path, "--latency-ms", str(latency)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    return proc, line.removeprefix("listening on ")


def stats(endpoint):
    with urllib.request.urlopen(endpoint + "/_emulator/stats") as r:
        return json.load(r)


def creates(n, offset=0):
    return "".join(
        f"CREATE S3 CONNECTION c{i:05} AWS_ROLE = 'arn:aws:iam::123456789012:role/r{i:05}' EXTERNAL_ID = 'ext-{i:05}';\n"
        for i in range(offset, offset + n)
    )


def run(connsql, env, catalog, args, sql):
    start = time.perf_counter()
    subprocess.run([connsql, "--catalog", catalog, "--quiet", *args], input=sql, text=True, env=env,
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=50)
    args = ap.parse_args()
    connsql = os.path.abspath(os.path.join(args.bin, "connsql"))
    emulator = os.path.abspath(os.path.join(args.bin, "connsql-sts-emulator"))
    work = tempfile.mkdtemp(prefix="connsql-vbench-")
    latency = args.latency_ms / 1000
    world = {
        "users": [{"access_key_id": KEY, "secret_access_key": SECRET, "arn": CALLER}],
        "roles": [
            {"arn": f"arn:aws:iam::123456789012:role/r{i:05}", "trust": [{"principal": CALLER, "external_id": f"ext-{i:05}"}],
             "permissions": {"Statement": [{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"}]}}
            for i in range(args.count + 100)
        ],
    }
    proc, endpoint = start_emulator(emulator, world, args.latency_ms, work)
    env = dict(os.environ, AWS_ENDPOINT_URL_STS=endpoint, AWS_ENDPOINT_URL_S3=endpoint, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID=KEY,
               AWS_SECRET_ACCESS_KEY=SECRET, AWS_EC2_METADATA_DISABLED="true")
    try:
        print(f"# 1. {args.count} role connections, {args.latency_ms} ms per STS call")
        before = stats(endpoint)["requests"]
        wall = run(connsql, env, os.path.join(work, "a.db"), [], creates(args.count))
        after = stats(endpoint)
        calls = after["requests"] - before
        limit = math.ceil(calls / 16) * latency
        print(f"connsql, --parallel 16 (default) : {wall:.2f} s for {calls} STS calls, "
              f"emulator peak in flight {after['peak_in_flight']}")
        print(f"limit ceil(calls/16) x latency   : {limit:.2f} s; ratio {wall / limit:.2f} (target <= 1.5)")
        n = 50
        seq = run(connsql, env, os.path.join(work, "b.db"), ["--parallel", "1"], creates(n, offset=args.count))
        print(f"connsql --parallel 1, {n} connections: {seq:.2f} s ({seq / n * 1000:.0f} ms per connection; "
              f"{args.count} would take about {seq / n * args.count:.0f} s)")

        print(f"\n# 2. connsql's own time per round trip ({args.latency_ms} ms latency, median of 7)")
        one = "CREATE S3 CONNECTION solo AWS_ROLE = 'arn:aws:iam::123456789012:role/r00000' EXTERNAL_ID = 'ext-00000';"
        validated, offline = [], []
        for r in range(7):
            validated.append(run(connsql, env, os.path.join(work, f"v{r}.db"), [], one))
            offline.append(run(connsql, env, os.path.join(work, f"o{r}.db"), ["--no-validate"], one))
        v, o = statistics.median(validated), statistics.median(offline)
        own = (v - o - 4 * latency) / 4
        print(f"validated CREATE {v * 1000:.1f} ms, offline CREATE {o * 1000:.1f} ms, 4 calls x {args.latency_ms} ms")
        print(f"connsql's own time per round trip: {own * 1000:.2f} ms (target <= 5 ms; includes loading the AWS config once)")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
