#!/usr/bin/env python3
"""A PostgreSQL catalog, beside psql on the same server, in the same run.

  python3 bench/postgres.py [--connsql target/release/connsql] [--runs 3]

Starts its own PostgreSQL server (initdb + postgres on a loopback port, in a temporary
directory, as nobody when run as root; the server's default durability settings).

1. 100,000 CREATE S3 CONNECTION statements with --no-validate into a fresh database, against
   psql running the equivalent INSERTs in one transaction against a fresh database of the same
   server: the same connection rows into connsql's own table, and the history row each CREATE
   appends; as further baselines, the connection rows alone, and the six fields a CREATE
   states into a minimal table of its own (what `bench/catalog.py` gives sqlite3). With
   `--baseline BIN`, an earlier connsql runs the same file in the same rounds.
2. `connsql -c 'SHOW CONNECTIONS'` on a 1,000-connection catalog, against
   `psql -c 'SELECT * FROM connsql.connections'` on the same table.
3. 10,000 CREATE JOB statements on one connection, `--no-validate` (with `--baseline`, beside
   the earlier connsql in the same rounds).
Needs PostgreSQL's server binaries and psql (Debian package postgresql).
"""

import argparse
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import timing

STATEMENT = (
    "CREATE S3 CONNECTION conn_{i:07}\n"
    "    AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader-{i:07}'\n"
    "    EXTERNAL_ID = 'a1b2c3d4-{i:07}'\n"
    "    READ_ONLY = TRUE\n"
    "    COMMENT = 'raw zone of team {i:07}';\n"
)

CONNECTION = (
    "INSERT INTO connsql.connections (id, name, authentication, options, created_at, updated_at) "
    "VALUES ('{i:032x}', 'conn_{i:07}', 'role', '{{\"AWS_ROLE\":\"arn:aws:iam::123456789012:role/"
    "lake-reader-{i:07}\",\"EXTERNAL_ID\":\"a1b2c3d4-{i:07}\",\"READ_ONLY\":true,"
    "\"COMMENT\":\"raw zone of team {i:07}\"}}', '2026-11-28T00:00:00.000Z', "
    "'2026-11-28T00:00:00.000Z');\n"
)

HISTORY = (
    "INSERT INTO connsql.history (at, os_user, action, object, connection_id, connection_name, "
    "statement) VALUES ('2026-11-28T00:00:00.000Z', 'bench', 'create', 'connection', '{i:032x}', "
    "'conn_{i:07}', 'CREATE S3 CONNECTION conn_{i:07} AWS_ROLE = ''arn:aws:iam::123456789012:role/"
    "lake-reader-{i:07}'' EXTERNAL_ID = ''a1b2c3d4-{i:07}'' READ_ONLY = TRUE COMMENT = ''raw zone "
    "of team {i:07}''');\n"
)


JOB = "CREATE JOB job_{i:06} AS COPY FROM S3 lake LOCATION = 's3://lake-raw/t{i:06}/' INTO lake.raw.t{i:06};\n"

MINIMAL = (
    "INSERT INTO c VALUES ('conn_{i:07}', 'role', 'arn:aws:iam::123456789012:role/lake-reader-{i:07}', "
    "'a1b2c3d4-{i:07}', true, 'raw zone of team {i:07}');\n"
)


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if versions:
        return versions[-1]
    sys.exit(f"{name} not found (apt-get install postgresql)")


def unprivileged(cmd):
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    return cmd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="connsql-bench-pg-")
        if os.geteuid() == 0:
            os.chown(self.dir, 65534, 65534)
        data = os.path.join(self.dir, "data")
        subprocess.run(unprivileged([pg_bin("initdb"), "-A", "trust", "-U", "bench", "-E", "UTF8",
                                     "-D", data]), stdout=subprocess.DEVNULL, check=True)
        self.port = free_port()
        self.proc = subprocess.Popen(
            unprivileged([pg_bin("postgres"), "-D", data, "-p", str(self.port), "-k", self.dir,
                          "-c", "listen_addresses=127.0.0.1"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"postgresql://bench@127.0.0.1:{self.port}"
        for _ in range(300):
            if self.psql("postgres", "SELECT 1", check=False).returncode == 0:
                break
            time.sleep(0.1)
        else:
            sys.exit("PostgreSQL did not start")
        self.count = 0

    def psql_cmd(self, db):
        return [pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{self.base}/{db}"]

    def psql(self, db, sql, check=True):
        return subprocess.run(self.psql_cmd(db) + ["-c", sql], capture_output=True, text=True,
                              check=check)

    def database(self):
        self.count += 1
        name = f"b{self.count}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def timed(cmd, stdin_path=None, env=None):
    return timing.run(cmd, stdin=stdin_path, env=env)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connsql", default="target/release/connsql")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--statements", type=int, default=100_000)
    ap.add_argument("--baseline", help="an earlier connsql binary, timed in the same rounds")
    args = ap.parse_args()
    connsql = os.path.abspath(args.connsql)
    baseline = os.path.abspath(args.baseline) if args.baseline else None
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", PGSSLMODE="disable")
    server = Server()
    work = tempfile.mkdtemp(prefix="connsql-bench-")
    try:
        n = args.statements
        creates = os.path.join(work, "creates.sql")
        with open(creates, "w") as f:
            f.writelines(STATEMENT.format(i=i) for i in range(n))
        both = os.path.join(work, "inserts.sql")
        with open(both, "w") as f:
            f.write("BEGIN;\n")
            f.writelines(CONNECTION.format(i=i) + HISTORY.format(i=i) for i in range(n))
            f.write("COMMIT;\n")
        rows = os.path.join(work, "rows.sql")
        with open(rows, "w") as f:
            f.write("BEGIN;\n")
            f.writelines(CONNECTION.format(i=i) for i in range(n))
            f.write("COMMIT;\n")
        minimal = os.path.join(work, "minimal.sql")
        with open(minimal, "w") as f:
            f.write("CREATE TABLE c (name text PRIMARY KEY, kind text NOT NULL, role text, "
                    "external_id text, read_only boolean NOT NULL, comment text);\nBEGIN;\n")
            f.writelines(MINIMAL.format(i=i) for i in range(n))
            f.write("COMMIT;\n")

        def fresh():
            """A new database with connsql's schema, made by connsql, and nothing in it."""
            db = server.database()
            subprocess.run([connsql, "--catalog", f"{server.base}/{db}", "--no-validate", "-q", "-c",
                            "CREATE S3 CONNECTION seed; DROP CONNECTION seed"],
                           stdout=subprocess.DEVNULL, check=True, env=env)
            return db

        print(f"# 1. {n:,} CREATEs --no-validate into PostgreSQL ({args.runs} runs each, alternating)")
        ours, before, full, bare, small_table = [], [], [], [], []
        for _ in range(args.runs):
            ours.append(timed([connsql, "--catalog", f"{server.base}/{fresh()}", "--no-validate",
                               "--quiet", "-f", creates], env=env))
            if baseline:
                before.append(timed([baseline, "--catalog", f"{server.base}/{fresh()}",
                                     "--no-validate", "--quiet", "-f", creates], env=env))
            full.append(timed(server.psql_cmd(fresh()), both, env))
            bare.append(timed(server.psql_cmd(fresh()), rows, env))
            small_table.append(timed(server.psql_cmd(server.database()), minimal, env))
        med = statistics.median
        fmt = lambda xs: [round(x, 3) for x in xs]
        print(f"connsql --no-validate -f creates.sql        : median {med(ours):.3f} s  runs {fmt(ours)}")
        if baseline:
            print(f"baseline connsql, the same file             : median {med(before):.3f} s  runs {fmt(before)}")
        print(f"psql -f inserts.sql (rows + history, 1 txn) : median {med(full):.3f} s  runs {fmt(full)}")
        print(f"psql -f rows.sql (rows only, 1 txn)         : median {med(bare):.3f} s  runs {fmt(bare)}")
        print(f"psql -f minimal.sql (six fields, 1 txn)     : median {med(small_table):.3f} s  runs {fmt(small_table)}")
        print(f"ratio connsql / psql minimal table          : {med(ours) / med(small_table):.2f}x  (target <= 1.0x)")
        print(f"ratio connsql / psql rows + history         : {med(ours) / med(full):.2f}x")
        print(f"ratio connsql / psql rows only              : {med(ours) / med(bare):.2f}x")
        if baseline:
            paired = [a / b for a, b in zip(ours, before)]
            print(f"ratio connsql / baseline, paired            : {med(paired):.2f}x  "
                  f"({min(paired):.2f}-{max(paired):.2f})")

        print("\n# 2. SHOW CONNECTIONS on a 1,000-connection catalog (30 runs each, alternating)")
        db = fresh()
        small = os.path.join(work, "small.sql")
        with open(small, "w") as f:
            f.writelines(STATEMENT.format(i=i) for i in range(1000))
        url = f"{server.base}/{db}"
        subprocess.run([connsql, "--catalog", url, "--no-validate", "--quiet", "-f", small],
                       stdout=subprocess.DEVNULL, check=True, env=env)
        show, select = [], []
        for _ in range(30):
            show.append(timed([connsql, "--catalog", url, "-c", "SHOW CONNECTIONS"], env=env))
            select.append(timed(server.psql_cmd(db) + ["-c", "SELECT * FROM connsql.connections ORDER BY name"],
                                env=env))
        print(f"connsql -c 'SHOW CONNECTIONS'               : median {med(show) * 1000:.1f} ms")
        print(f"psql -c 'SELECT * FROM connsql.connections' : median {med(select) * 1000:.1f} ms")
        print(f"ratio                                       : {med(show) / med(select):.2f}x  (target <= 2x)")

        print(f"\n# 3. 10,000 CREATE JOBs on one connection ({args.runs} runs each, alternating)")
        jobs = os.path.join(work, "jobs.sql")
        with open(jobs, "w") as f:
            f.writelines(JOB.format(i=i) for i in range(10_000))
        ours_jobs, before_jobs = [], []
        for _ in range(args.runs):
            for binary, into in [(connsql, ours_jobs)] + ([(baseline, before_jobs)] if baseline else []):
                url = f"{server.base}/{fresh()}"
                subprocess.run([binary, "--catalog", url, "--no-validate", "--quiet", "-c",
                                "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/r'"],
                               stdout=subprocess.DEVNULL, check=True, env=env)
                into.append(timed([binary, "--catalog", url, "--no-validate", "--quiet", "-f", jobs], env=env))
        print(f"connsql --no-validate -f jobs.sql           : median {med(ours_jobs):.3f} s  runs {fmt(ours_jobs)}")
        if baseline:
            print(f"baseline connsql, the same file             : median {med(before_jobs):.3f} s  runs {fmt(before_jobs)}")
            paired = [a / b for a, b in zip(ours_jobs, before_jobs)]
            print(f"ratio connsql / baseline, paired            : {med(paired):.2f}x  "
                  f"({min(paired):.2f}-{max(paired):.2f})")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
