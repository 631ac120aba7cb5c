#!/usr/bin/env python3
"""What privileges cost the common paths of a team catalog (SPEC §9), paired runs.

  python3 bench/privileges.py [--connsql target/release/connsql] [--pairs 20]
                              [--before path/to/connsql-before-privileges]

Starts its own PostgreSQL server (see bench/postgres.py). Two catalogs of 1,000 connections
each, made by an ordinary role (`owner`, not a superuser: row-level security applies):
"granted" also has 100 member roles, every one with USAGE on the catalog, and 10,000 grants of
USAGE on connections (10 roles per connection); "plain" has one member with the two grants it
needs. Then, as the member `r000` and alternating A B A B:

1. `SHOW CONNECTIONS` on each;
2. creating (and dropping) a job on each;
3. with --before (a connsql built before privileges), 100,000 CREATEs by the owner into a
   fresh database: this connsql against that one.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postgres import STATEMENT, Server  # noqa: E402
import timing  # noqa: E402

PASSWORD = "bench-password"


def paired(a, b, pairs):
    """Runs a and b alternately; their medians and the median of the per-pair ratios."""
    ta, tb, ratios = [], [], []
    for _ in range(pairs):
        x, y = a(), b()
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    med = statistics.median
    return med(ta), med(tb), med(ratios), min(ratios), max(ratios)


def timed(cmd, env):
    return timing.run(cmd, env=env)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connsql", default="target/release/connsql")
    ap.add_argument("--before", help="a connsql built before privileges, for the batch")
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--statements", type=int, default=100_000)
    ap.add_argument("--hold", type=int, default=0,
                    help="after setting up, print the catalogs' URLs and keep the server this many "
                         "seconds, for measuring with another tool")
    args = ap.parse_args()
    connsql = os.path.abspath(args.connsql)
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", PGSSLMODE="disable",
               PGPASSWORD=PASSWORD)
    server = Server()
    work = tempfile.mkdtemp(prefix="connsql-bench-")
    try:
        roles = [f"r{i:03}" for i in range(100)]
        server.psql("postgres", f"CREATE ROLE owner LOGIN PASSWORD '{PASSWORD}'")
        for r in roles:
            server.psql("postgres", f"CREATE ROLE {r} LOGIN PASSWORD '{PASSWORD}'")
        host = server.base.split("@", 1)[1]

        def catalog(grants):
            db = server.database()
            server.psql("postgres", f"GRANT CREATE ON DATABASE {db} TO owner")
            url = f"postgresql://owner@{host}/{db}"
            script = os.path.join(work, f"{db}.sql")
            with open(script, "w") as f:
                f.writelines(STATEMENT.format(i=i) for i in range(1000))
                if grants:
                    f.write(f"GRANT USAGE ON CATALOG TO {', '.join(roles)};\n")
                    for i in range(1000):
                        ten = ", ".join(roles[(i + k * 10) % 100] for k in range(10))
                        f.write(f"GRANT USAGE ON CONNECTION conn_{i:07} TO {ten};\n")
                    # r000 holds USAGE on conn_0000000 among the 10,000.
                else:
                    f.write("GRANT USAGE ON CATALOG TO r000;\n")
                    f.write("GRANT USAGE ON CONNECTION conn_0000000 TO r000;\n")
            subprocess.run([connsql, "--catalog", url, "--no-validate", "--quiet", "-f", script],
                           stdout=subprocess.DEVNULL, check=True, env=env)
            return f"postgresql://r000@{host}/{db}"

        granted, plain = catalog(True), catalog(False)
        count = subprocess.run(
            server.psql_cmd(granted.rsplit("/", 1)[1]) + ["-t", "-c", "SELECT count(*) FROM connsql.grants"],
            capture_output=True, text=True, check=True).stdout.strip()
        print(f"# grants in the granted catalog: {count}; 100 member roles; 1,000 connections each")
        if args.hold:
            print(f"granted: {granted}\nplain:   {plain}\nPGPASSWORD={PASSWORD}", flush=True)
            time.sleep(args.hold)
            return

        def show(url):
            return lambda: timed([connsql, "--catalog", url, "-c", "SHOW CONNECTIONS"], env)

        def job(url):
            sql = ("CREATE JOB bench_job AS COPY FROM S3 conn_0000000 LOCATION = 's3://bench-bucket/p/' "
                   "INTO db.t; DROP JOB bench_job")
            return lambda: timed([connsql, "--catalog", url, "--no-validate", "-q", "-c", sql], env)

        for title, a, b in [("SHOW CONNECTIONS as a member", show(granted), show(plain)),
                            ("CREATE JOB + DROP JOB as a member", job(granted), job(plain))]:
            ma, mb, r, lo, hi = paired(a, b, args.pairs)
            print(f"{title:<36}: granted {ma * 1000:.1f} ms, plain {mb * 1000:.1f} ms, "
                  f"ratio {r:.2f}x ({lo:.2f}-{hi:.2f}, {args.pairs} pairs; target <= 1.2x)")

        if args.before:
            creates = os.path.join(work, "creates.sql")
            with open(creates, "w") as f:
                f.writelines(STATEMENT.format(i=i) for i in range(args.statements))

            def batch(binary):
                def run():
                    db = server.database()
                    server.psql("postgres", f"GRANT CREATE ON DATABASE {db} TO owner")
                    return timed([binary, "--catalog", f"postgresql://owner@{host}/{db}",
                                  "--no-validate", "--quiet", "-f", creates], env)
                return run

            pairs = max(3, args.pairs // 5)
            ma, mb, r, lo, hi = paired(batch(connsql), batch(os.path.abspath(args.before)), pairs)
            print(f"{args.statements:,} CREATEs by the owner      : now {ma:.2f} s, before {mb:.2f} s, "
                  f"ratio {r:.2f}x ({lo:.2f}-{hi:.2f}, {pairs} pairs; target <= 1.1x)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
