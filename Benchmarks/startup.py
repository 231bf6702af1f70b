#!/usr/bin/env python3
"""Start-up of whole twvoice processes against the floor: a static-stdlib Swift hello world built
on the same machine, alternating all of them in one run (issue 16's measure).

    make                                   # the release binary, static Swift runtime
    python3 Benchmarks/startup.py [--runs 100]

`--also PATH` adds the same three commands of another twvoice binary (an earlier build, say) to
the same alternation, so a change is measured side by side with what it replaces.

Builds Benchmarks/hello.swift with `swiftc -O -static-stdlib` into a scratch folder, then times,
per process: the hello world, `twvoice --version`, `twvoice token mint` (one token, the seed's
grant) and `twvoice twiml render start`. Prints min/median/p90 wall ms, the median CPU ms
(user + system) and each median's ratio to the hello world's.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import MINT_ENV as ENV, ROOT, TWVOICE


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--also", metavar="PATH", help="another twvoice binary to time alongside")
    args = parser.parse_args()
    if not os.path.exists(TWVOICE):
        sys.exit("build first: make")
    scratch = tempfile.mkdtemp(prefix="twvoice-startup-")
    hello = os.path.join(scratch, "hello")
    subprocess.run(["swiftc", "-O", "-static-stdlib", os.path.join(ROOT, "Benchmarks", "hello.swift"),
                    "-o", hello], check=True)
    tools = {"hello world (static stdlib)": [hello]}
    for label, binary in [("twvoice", TWVOICE)] + ([("also", args.also)] if args.also else []):
        tools[f"{label} --version"] = [binary, "--version"]
        tools[f"{label} token mint"] = [binary, "token", "mint", "--no-env-file", "--incoming", "--identity", "alice"]
        tools[f"{label} twiml render start"] = [binary, "twiml", "render", "start", "--url", "wss://bot.example.com/ws"]
    wall = {name: [] for name in tools}
    cpu = {name: [] for name in tools}
    for _ in range(args.runs):
        for name, cmd in tools.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            wall[name].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    os.remove(hello)
    os.rmdir(scratch)
    floor = statistics.median(wall["hello world (static stdlib)"])
    print(f"{args.runs} runs each, alternating; wall ms per process")
    print(f"{'process':30} {'min':>6} {'median':>7} {'p90':>6} {'cpu':>6} {'vs hello':>9}")
    for name in tools:
        values = sorted(wall[name])
        median = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{name:30} {values[0]:6.2f} {median:7.2f} {p90:6.2f} {statistics.median(cpu[name]):6.2f} "
              f"{median / floor:8.2f}x")


if __name__ == "__main__":
    main()
