#!/usr/bin/env python3
"""Summarises a `cargo build --timings` report: wall time, the units that took longest, and
what a set of crates cost together. Reads the HTML cargo writes (the JSON in `UNIT_DATA`).

    python3 bench/build_timings.py target/cargo-timings/cargo-timing.html [--top 15]
"""
import argparse
import json
import re


def units(path):
    text = open(path, encoding="utf-8").read()
    start = text.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
    end = text.index("];", start) + 1
    return json.loads(text[start:end])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    data = units(args.report)
    wall = max(u["start"] + u["duration"] for u in data)
    cpu = sum(u["duration"] for u in data)
    print(f"{len(data)} units, {wall:.1f} s wall, {cpu:.1f} s summed over units")
    print()
    print("| unit | seconds |")
    print("|---|---|")
    for u in sorted(data, key=lambda u: -u["duration"])[: args.top]:
        target = u["target"].strip()
        label = f'{u["name"]} {u["version"]}' + (f" ({target})" if target else "")
        print(f"| {label} | {u['duration']:.1f} |")
    groups = {
        "aws-lc-sys + aws-lc-rs": r"^aws-lc",
        "ring": r"^ring$",
        "aws-sdk-* (generated clients)": r"^aws-sdk-",
        "other aws-* / aws-smithy-*": r"^aws-(?!sdk-|lc)",
        "libsqlite3-sys": r"^libsqlite3-sys$",
        "sqlparser": r"^sqlparser$",
        "connsql": r"^connsql$",
        "connsql-sts-emulator": r"^connsql-sts-emulator$",
    }
    print()
    print("| group | seconds summed |")
    print("|---|---|")
    for label, pattern in groups.items():
        total = sum(u["duration"] for u in data if re.search(pattern, u["name"]))
        if total:
            print(f"| {label} | {total:.1f} |")


if __name__ == "__main__":
    main()
