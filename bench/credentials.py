#!/usr/bin/env python3
"""`connsql credentials` beside the peer doing the same job, in the same run, on one emulator.

  python3 bench/credentials.py [--connsql target/release/connsql]
                               [--emulator target/release/connsql-sts-emulator]
                               [--python PYTHON_WITH_BOTO3] [--runs 30]

1. boto3 resolving an assume-role profile (role_arn, external_id, source_profile) to temporary
   credentials, a new process each time:
   boto3.Session(profile_name=…).get_credentials().get_frozen_credentials()
2. `connsql credentials lake` from its cache, and with --no-cache (one AssumeRole each).
3. 16 concurrent cold calls for one connection: how many AssumeRole calls the emulator saw.
Needs boto3 (`pip install boto3`; .ci/aws-clients.sh leaves a venv with it).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request

import timing

WORLD = {
    "users": [{"access_key_id": "AKIACONNSQLBENCH0001", "secret_access_key": "bench-secret",
               "arn": "arn:aws:iam::111111111111:user/ci"}],
    "roles": [{"arn": "arn:aws:iam::123456789012:role/lake-reader",
               "trust": [{"principal": "arn:aws:iam::111111111111:user/ci", "external_id": "a1b2c3d4"}]}],
}


def median_ms(cmd, runs, env):
    walls = [timing.run(cmd, env=env)[0] * 1000 for _ in range(runs)]
    return statistics.median(walls), walls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connsql", default="target/release/connsql")
    ap.add_argument("--emulator", default="target/release/connsql-sts-emulator")
    default_python = os.path.expanduser("~/.cache/connsql-ci/aws-clients-venv/bin/python")
    ap.add_argument("--python", default=default_python if os.path.exists(default_python) else sys.executable)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    if subprocess.run([args.python, "-c", "import boto3"], capture_output=True).returncode != 0:
        sys.exit(f"{args.python} has no boto3 (pip install boto3, or run .ci/aws-clients.sh first)")
    work = tempfile.mkdtemp(prefix="connsql-bench-credentials-")
    world = os.path.join(work, "world.json")
    with open(world, "w") as f:
        json.dump(WORLD, f)
    emulator = subprocess.Popen([os.path.abspath(args.emulator), "--config", world], stdout=subprocess.PIPE, text=True)
    endpoint = emulator.stdout.readline().strip().removeprefix("listening on ")
    try:
        with open(os.path.join(work, "config"), "w") as f:
            f.write("[profile base]\nregion = us-east-1\n\n"
                    "[profile assume]\nrole_arn = arn:aws:iam::123456789012:role/lake-reader\n"
                    "external_id = a1b2c3d4\nsource_profile = base\nrole_session_name = connsql-lake\n"
                    "region = us-east-1\n")
        with open(os.path.join(work, "credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = AKIACONNSQLBENCH0001\naws_secret_access_key = bench-secret\n")
        env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL_STS=endpoint, AWS_ENDPOINT_URL_S3=endpoint,
                   AWS_CONFIG_FILE=os.path.join(work, "config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "credentials"),
                   AWS_PROFILE="base", XDG_CACHE_HOME=os.path.join(work, "cache"))
        catalog = os.path.join(work, "catalog.db")
        connsql = [os.path.abspath(args.connsql), "--catalog", catalog]
        subprocess.run(connsql + ["--no-validate", "-c",
                                  "CREATE S3 CONNECTION lake AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' "
                                  "EXTERNAL_ID = 'a1b2c3d4'"], env=env, check=True, stdout=subprocess.DEVNULL)
        boto = [args.python, "-c",
                "import boto3; boto3.Session(profile_name='assume').get_credentials().get_frozen_credentials()"]
        print(f"# {args.runs} runs each, median (whole process)")
        b, _ = median_ms(boto, args.runs, env)
        subprocess.run(connsql + ["credentials", "lake"], env=env, check=True, stdout=subprocess.DEVNULL)
        cached, _ = median_ms(connsql + ["credentials", "lake"], args.runs, env)
        cold, _ = median_ms(connsql + ["credentials", "lake", "--no-cache"], args.runs, env)
        print(f"boto3, assume-role profile           : {b:7.1f} ms")
        print(f"connsql credentials, cached          : {cached:7.1f} ms  = 1/{b / cached:.0f} of boto3 (target <= 1/20 and <= 5 ms)")
        print(f"connsql credentials --no-cache       : {cold:7.1f} ms  = {cold / b:.2f}x boto3 (target <= 1x)")

        def assumes():
            with urllib.request.urlopen(f"{endpoint}/_emulator/stats") as r:
                return json.load(r)["actions"].get("AssumeRole", 0)

        shutil.rmtree(os.path.join(work, "cache"), ignore_errors=True)
        subprocess.run(connsql + ["--no-validate", "-c", "ALTER S3 CONNECTION lake SET COMMENT = 'cold'"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        before = assumes()
        procs = [subprocess.Popen(connsql + ["credentials", "lake"], env=env, stdout=subprocess.PIPE) for _ in range(16)]
        outs = {p.communicate()[0] for p in procs}
        print(f"16 concurrent cold calls             : {assumes() - before} AssumeRole, {len(outs)} distinct answer(s) (target: 1)")
    finally:
        emulator.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
