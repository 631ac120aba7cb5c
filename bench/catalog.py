#!/usr/bin/env python3
"""Batch and catalog benchmarks of connsql, each beside its baseline in the same run.

  python3 bench/catalog.py [--connsql target/release/connsql] [--runs 3]

1. 100,000 CREATE S3 CONNECTION statements with --no-validate, against the sqlite3 CLI
   inserting the same six fields (name primary key, kind, role, external id, read-only,
   comment) into a minimal table in one transaction; and against the sqlite3 CLI writing the
   same rows connsql writes (each connection row and its history row) into a copy of a
   catalog connsql made, in one transaction.
2. `connsql -c 'SHOW CONNECTIONS'` on a 1,000-connection catalog, against
   `sqlite3 catalog.db 'SELECT * FROM connections'`.
3. 1,000,000 statements streamed from stdin: peak RSS.
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

STATEMENT = (
    "CREATE S3 CONNECTION conn_{i:07}\n"
    "    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader-{i:07}'\n"
    "    EXTERNAL_ID = 'a1b2c3d4-{i:07}'\n"
    "    READ_ONLY = TRUE\n"
    "    COMMENT = 'raw zone of team {i:07}';\n"
)

MINIMAL = (
    "INSERT INTO c VALUES ('conn_{i:07}', 'role', 'arn:aws:iam::123456789012:role/lake-reader-{i:07}', "
    "'a1b2c3d4-{i:07}', 1, 'raw zone of team {i:07}');\n"
)

INSERT = (
    "INSERT INTO connections (id, name, authentication, options, created_at, updated_at) "
    "VALUES ('{i:032x}', 'conn_{i:07}', 'role', '{{\"AWS_ROLE\":\"arn:aws:iam::123456789012:role/"
    "lake-reader-{i:07}\",\"EXTERNAL_ID\":\"a1b2c3d4-{i:07}\",\"READ_ONLY\":true,"
    "\"COMMENT\":\"raw zone of team {i:07}\"}}', '2026-11-28T00:00:00.000Z', "
    "'2026-11-28T00:00:00.000Z');\n"
    "INSERT INTO history (at, os_user, action, connection_id, connection_name, statement, object, role) "
    "VALUES ('2026-11-28T00:00:00.000Z', 'root', 'create', '{i:032x}', 'conn_{i:07}', "
    "'CREATE S3 CONNECTION conn_{i:07} AWS_ROLE = ''arn:aws:iam::123456789012:role/lake-reader-{i:07}'' "
    "EXTERNAL_ID = ''a1b2c3d4-{i:07}'' READ_ONLY = TRUE COMMENT = ''raw zone of team {i:07}''', "
    "'connection', 'root');\n"
)


def median_wall(make_cmd, runs, stdin_path=None):
    walls = [timing.run(make_cmd(r), stdin=stdin_path)[0] for r in range(runs)]
    return statistics.median(walls), walls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connsql", default="target/release/connsql")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stream", type=int, default=1_000_000)
    args = ap.parse_args()
    connsql = os.path.abspath(args.connsql)
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        sys.exit("sqlite3 CLI not found (apt-get install sqlite3)")
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
    work = tempfile.mkdtemp(prefix="connsql-bench-")
    creates = os.path.join(work, "creates.sql")
    inserts = os.path.join(work, "inserts.sql")
    with open(creates, "w") as f:
        f.writelines(STATEMENT.format(i=i) for i in range(100_000))
    # A catalog made by connsql itself (its schema, page size and journal mode), copied for
    # each run of the same-rows baseline.
    schema_db = os.path.join(work, "schema.db")
    subprocess.run([connsql, "--catalog", schema_db, "--no-validate", "-c",
                    "CREATE S3 CONNECTION seed; DROP CONNECTION seed"],
                   stdout=subprocess.DEVNULL, check=True, env=env)
    subprocess.run([sqlite3, schema_db, "PRAGMA wal_checkpoint(TRUNCATE)"],
                   stdout=subprocess.DEVNULL, check=True)
    for r in range(args.runs):
        shutil.copy(schema_db, os.path.join(work, f"s{r}.db"))
    with open(inserts, "w") as f:
        f.write("BEGIN;\n")
        f.writelines(INSERT.format(i=i) for i in range(100_000))
        f.write("COMMIT;\n")
    minimal = os.path.join(work, "minimal.sql")
    with open(minimal, "w") as f:
        f.write("CREATE TABLE c (name TEXT PRIMARY KEY, kind TEXT NOT NULL, role TEXT, "
                "external_id TEXT, read_only INTEGER NOT NULL, comment TEXT);\nBEGIN;\n")
        f.writelines(MINIMAL.format(i=i) for i in range(100_000))
        f.write("COMMIT;\n")
    mb = lambda p: os.path.getsize(p) / 1e6

    print(f"# 1. 100,000 statements ({mb(creates):.1f} MB of CREATE, {mb(inserts):.1f} MB of INSERT)")
    ours, ours_all = median_wall(
        lambda r: [connsql, "--catalog", os.path.join(work, f"c{r}.db"), "--no-validate", "--quiet", "-f", creates],
        args.runs)
    small_base, small_all = median_wall(lambda r: [sqlite3, os.path.join(work, f"m{r}.db")], args.runs, minimal)
    theirs, theirs_all = median_wall(lambda r: [sqlite3, os.path.join(work, f"s{r}.db")], args.runs, inserts)
    print(f"connsql --no-validate -f creates.sql : median {ours:.3f} s  runs {[round(w, 3) for w in ours_all]}")
    print(f"sqlite3 m.db < minimal.sql (1 txn)   : median {small_base:.3f} s  runs {[round(w, 3) for w in small_all]}")
    print(f"sqlite3 copy < same rows (1 txn)     : median {theirs:.3f} s  runs {[round(w, 3) for w in theirs_all]}")
    print(f"ratio connsql / sqlite3 minimal      : {ours / small_base:.2f}x  (target <= 1.0x)")
    print(f"ratio connsql / sqlite3 same rows    : {ours / theirs:.2f}x")

    print("\n# 2. SHOW CONNECTIONS on a 1,000-connection catalog (30 runs each)")
    small = os.path.join(work, "small.db")
    with open(os.path.join(work, "small.sql"), "w") as f:
        f.writelines(STATEMENT.format(i=i) for i in range(1000))
    subprocess.run([connsql, "--catalog", small, "--no-validate", "--quiet", "-f", os.path.join(work, "small.sql")],
                   stdout=subprocess.DEVNULL, check=True, env=env)
    show, _ = median_wall(lambda r: [connsql, "--catalog", small, "-c", "SHOW CONNECTIONS"], 30)
    select, _ = median_wall(lambda r: [sqlite3, small, "SELECT * FROM connections"], 30)
    print(f"connsql -c 'SHOW CONNECTIONS'         : median {show * 1000:.1f} ms")
    print(f"sqlite3 'SELECT * FROM connections'   : median {select * 1000:.1f} ms")
    print(f"ratio                                 : {show / select:.2f}x  (target <= 1.5x)")

    print(f"\n# 3. {args.stream:,} statements streamed from stdin")
    gen = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nw=sys.stdout.write\nS=" + repr(STATEMENT) + "\nfor i in range(" + str(args.stream) + "): w(S.format(i=i))"],
        stdout=subprocess.PIPE)
    stream_db = os.path.join(work, "stream.db")
    wall, peak_kib = timing.run([connsql, "--catalog", stream_db, "--no-validate", "--quiet"],
                                stdin=gen.stdout, env=env)
    gen.wait()
    count = subprocess.run([sqlite3, stream_db, "SELECT count(*) FROM connections"], capture_output=True,
                           text=True, check=True).stdout.strip()
    print(f"connsql < {args.stream:,} statements : {wall:.1f} s, peak RSS {peak_kib / 1024:.1f} MiB "
          f"(target <= 32 MiB), {count} connections stored")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
