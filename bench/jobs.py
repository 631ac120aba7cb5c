#!/usr/bin/env python3
"""Job benchmarks of connsql, each beside its baseline in the same run.

  python3 bench/jobs.py [--connsql target/release/connsql]
                        [--baseline target/release/examples/sqlparser-baseline] [--runs 3]

1. 100,000 CREATE JOB statements (half COPY FROM, half INSERT INTO … SELECT with a join and a
   WHERE) against 1,000 connections, --no-validate: time and peak RSS, against sqlparser alone
   over the same file (every statement tokenized, every SELECT parsed), and against sqlparser
   parsing just the SELECTs.
2. 1,000,000 job statements streamed from stdin: peak RSS.
3. DROP CONNECTION of a connection with 100,000 dependent jobs: the RESTRICT refusal against an
   ordinary DROP of a connection without jobs in the same catalog; CASCADE against the sqlite3
   CLI deleting the same rows (the jobs, then the connection) in one transaction.
Needs the sqlite3 CLI (Debian package sqlite3).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import timing

CONNECTION = "CREATE S3 CONNECTION conn_{c:04} AWS_ROLE = 'arn:aws:iam::123456789012:role/r{c:04}' EXTERNAL_ID = 'ext-{c:04}';\n"

COPY = (
    "CREATE JOB load_{i:07}\n"
    "    CONTENT_TYPE = JSON\n"
    "    COMPUTE_CLUSTER = \"Default Compute\"\n"
    "    AS COPY FROM S3 conn_{c:04} LOCATION = 's3://bucket-{c:04}/raw/{i:07}/'\n"
    "    DATE_PATTERN = 'yyyy/MM/dd/HH/mm'\n"
    "    INTO default_glue_catalog.lake.orders_{i:07};\n"
)

INSERT = (
    "CREATE SYNC JOB export_{i:07}\n"
    "    RUN_INTERVAL = 1 HOUR\n"
    "    FILE_FORMAT = (TYPE = PARQUET)\n"
    "    AS INSERT INTO S3 conn_{c:04} LOCATION = 's3://bucket-{c:04}/out/{i:07}/' MAP_COLUMNS_BY_NAME\n"
    "    SELECT o.orderid, o.nettotal, c.name AS customer\n"
    "    FROM default_glue_catalog.lake.orders_{i:07} o\n"
    "    JOIN default_glue_catalog.lake.customers c ON o.customer_id = c.id\n"
    "    WHERE $event_time BETWEEN run_start_time() AND run_end_time() AND o.nettotal > 100;\n"
)


def job(i, connections=1000):
    return (COPY if i % 2 == 0 else INSERT).format(i=i, c=i % connections)


run_timed = timing.run


def median_of(runs, make):
    """Median wall and the largest peak RSS of `runs` runs of make(r) -> (wall, kib)."""
    results = [make(r) for r in range(runs)]
    walls = [w for w, _ in results]
    return statistics.median(walls), max(k for _, k in results), walls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connsql", default="target/release/connsql")
    ap.add_argument("--baseline", default="target/release/examples/sqlparser-baseline")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stream", type=int, default=1_000_000)
    args = ap.parse_args()
    connsql = os.path.abspath(args.connsql)
    baseline = os.path.abspath(args.baseline)
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        sys.exit("sqlite3 CLI not found (apt-get install sqlite3)")
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
    work = tempfile.mkdtemp(prefix="connsql-bench-jobs-")

    # A catalog with the 1,000 connections, copied fresh for every run.
    base_db = os.path.join(work, "base.db")
    conns = os.path.join(work, "connections.sql")
    with open(conns, "w") as f:
        f.writelines(CONNECTION.format(c=c) for c in range(1000))
    subprocess.run([connsql, "--catalog", base_db, "--no-validate", "--quiet", "-f", conns],
                   stdout=subprocess.DEVNULL, check=True, env=env)
    jobs = os.path.join(work, "jobs.sql")
    with open(jobs, "w") as f:
        f.writelines(job(i) for i in range(100_000))
    mb = os.path.getsize(jobs) / 1e6

    print(f"# 1. 100,000 job statements ({mb:.1f} MB; 50,000 COPY FROM, 50,000 INSERT … SELECT) on 1,000 connections")

    def ours(r):
        db = os.path.join(work, f"run{r}.db")
        shutil.copyfile(base_db, db)
        return run_timed([connsql, "--catalog", db, "--no-validate", "--quiet", "-f", jobs], env=env)

    o, o_kib, o_all = median_of(args.runs, ours)
    b, b_kib, b_all = median_of(args.runs, lambda r: run_timed([baseline, jobs]))
    s, s_kib, s_all = median_of(args.runs, lambda r: run_timed([baseline, jobs, "--selects-only"]))
    count = subprocess.run([sqlite3, os.path.join(work, "run0.db"), "SELECT count(*) FROM jobs"],
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"connsql --no-validate -f jobs.sql      : median {o:.3f} s  peak {o_kib / 1024:.1f} MiB  runs {[round(w, 3) for w in o_all]}  ({count} jobs stored)")
    print(f"sqlparser: tokenize all, parse SELECTs : median {b:.3f} s  peak {b_kib / 1024:.1f} MiB  runs {[round(w, 3) for w in b_all]}")
    print(f"sqlparser: parse the SELECTs only      : median {s:.3f} s  peak {s_kib / 1024:.1f} MiB  runs {[round(w, 3) for w in s_all]}")
    print(f"ratio connsql / sqlparser (all)        : {o / b:.2f}x  (target <= 1.5x)")
    print(f"ratio connsql / sqlparser (SELECTs)    : {o / s:.2f}x")

    print(f"\n# 2. {args.stream:,} job statements streamed from stdin on 1,000 connections")
    gen = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nw=sys.stdout.write\nC=" + repr(COPY) + "\nI=" + repr(INSERT) +
         "\nfor i in range(" + str(args.stream) + "): w((C if i % 2 == 0 else I).format(i=i, c=i % 1000))"],
        stdout=subprocess.PIPE)
    stream_db = os.path.join(work, "stream.db")
    shutil.copyfile(base_db, stream_db)
    wall, kib = run_timed([connsql, "--catalog", stream_db, "--no-validate", "--quiet"], stdin=gen.stdout, env=env)
    gen.wait()
    count = subprocess.run([sqlite3, stream_db, "SELECT count(*) FROM jobs"], capture_output=True,
                           text=True, check=True).stdout.strip()
    print(f"connsql < {args.stream:,} job statements : {wall:.1f} s, peak RSS {kib / 1024:.1f} MiB "
          f"(target <= 64 MiB), {count} jobs stored")

    print("\n# 3. DROP CONNECTION with 100,000 dependent jobs (catalog copied fresh before each run)")
    hot_db = os.path.join(work, "hot.db")
    shutil.copyfile(base_db, hot_db)
    hot = os.path.join(work, "hot.sql")
    with open(hot, "w") as f:
        f.write("CREATE S3 CONNECTION hot; CREATE S3 CONNECTION cold;\n")
        f.writelines(job(i).replace(f"conn_{i % 1000:04}", "hot") for i in range(100_000))
    subprocess.run([connsql, "--catalog", hot_db, "--no-validate", "--quiet", "-f", hot],
                   stdout=subprocess.DEVNULL, check=True, env=env)
    runs = max(args.runs, 11)

    def fresh(cmd, ok=(0,)):
        def one(r):
            db = os.path.join(work, "drop.db")
            shutil.copyfile(hot_db, db)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            return run_timed([c.replace("DB", db) for c in cmd], env=env, ok=ok)
        return one

    plain, _, _ = median_of(runs, fresh([connsql, "--catalog", "DB", "-c", "DROP CONNECTION cold"]))
    restrict, _, _ = median_of(runs, fresh([connsql, "--catalog", "DB", "-c", "DROP CONNECTION hot"], ok=(1,)))
    cascade, _, c_all = median_of(runs, fresh([connsql, "--catalog", "DB", "-c", "DROP CONNECTION hot CASCADE"]))
    delete = ("BEGIN; DELETE FROM jobs WHERE connection_id = (SELECT id FROM connections WHERE name = 'hot'); "
              "DELETE FROM connections WHERE name = 'hot'; COMMIT;")
    sql, _, s_all = median_of(runs, fresh([sqlite3, "DB", delete]))
    print(f"connsql DROP CONNECTION cold (no jobs)  : median {plain * 1000:.1f} ms")
    print(f"connsql DROP CONNECTION hot (refused)   : median {restrict * 1000:.1f} ms")
    print(f"refusal over an ordinary DROP           : {(restrict - plain) * 1000:+.1f} ms  (target <= 10 ms)")
    print(f"connsql DROP CONNECTION hot CASCADE     : median {cascade * 1000:.1f} ms  runs {[round(w * 1000) for w in c_all]}")
    print(f"sqlite3 DELETE jobs + connection (1 txn): median {sql * 1000:.1f} ms  runs {[round(w * 1000) for w in s_all]}")
    print(f"ratio CASCADE / sqlite3                 : {cascade / sql:.2f}x  (target <= 2x)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
