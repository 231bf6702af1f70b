#!/usr/bin/env python3
"""twvoice token mint vs twilio-python, side by side in one run.

    pip install twilio PyJWT
    swift build -c release --static-swift-stdlib
    python3 Benchmarks/token_mint.py [--runs 200] [--count 100000] [--before PATH]

Per invocation: one process minting one token, the seed's way (identity, outgoing app,
incoming allowed), alternated between the two tools so both see the same machine state;
median and p90 wall time per process, and the ratio. Throughput: one process minting
--count tokens as JSON lines, tokens per second. Both tools' outputs are compared first:
the benchmark refuses to time tools that disagree. --before adds a second twvoice binary (another
commit's `make` build) to the same alternating runs, to compare start-up between two versions.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

from benchlib import MINT_ENV, ROOT, TWVOICE

PYTHON_MINT = [sys.executable, os.path.join(ROOT, "Benchmarks", "mint_python.py")]
ENV = dict(MINT_ENV, PYTHONWARNINGS="ignore")
TWVOICE_MINT = [TWVOICE, "token", "mint", "--no-env-file", "--incoming"]


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def same_token():
    """Both tools must mint the same bytes within one second (the jti and exp carry the second)."""
    for _ in range(5):
        a = subprocess.run(TWVOICE_MINT + ["--identity", "alice"], env=ENV, capture_output=True, text=True, check=True).stdout
        b = subprocess.run(PYTHON_MINT + ["alice"], env=ENV, capture_output=True, text=True, check=True).stdout
        if a == b:
            return True
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--before", help="a second twvoice binary to time alongside (e.g. an earlier commit's)")
    args = parser.parse_args()
    if not os.path.exists(TWVOICE):
        sys.exit("build first: swift build -c release --static-swift-stdlib")
    if not same_token():
        sys.exit("twvoice and twilio-python minted different tokens; not timing them")

    cases = {
        "twvoice token mint": TWVOICE_MINT + ["--identity", "alice"],
        "python twilio AccessToken": PYTHON_MINT + ["alice"],
        "twvoice --version (start-up only)": [TWVOICE, "--version"],
        "/bin/true (process spawn)": ["/bin/true"],
    }
    if args.before:
        cases["before: twvoice token mint"] = [args.before] + TWVOICE_MINT[1:] + ["--identity", "alice"]
        cases["before: twvoice --version"] = [args.before, "--version"]
    samples = {name: [] for name in cases}
    for name, cmd in cases.items():  # warm the page cache
        timed(cmd)
    for _ in range(args.runs):
        for name, cmd in cases.items():
            samples[name].append(timed(cmd))

    print(f"one token per process, {args.runs} runs each, alternated")
    print(f"{'command':40} {'median ms':>10} {'p90 ms':>10}")
    medians = {}
    for name, values in samples.items():
        values.sort()
        medians[name] = statistics.median(values)
        print(f"{name:40} {medians[name] * 1e3:10.2f} {values[int(len(values) * 0.9)] * 1e3:10.2f}")
    ratio = medians["python twilio AccessToken"] / medians["twvoice token mint"]
    print(f"ratio python / twvoice (median): {ratio:.1f}x")
    if args.before:
        change = medians["twvoice token mint"] / medians["before: twvoice token mint"]
        print(f"token mint, this build / before (median): {change:.2f}x")

    print(f"\nthroughput, {args.count} tokens in one process (JSON lines)")
    tw = timed([TWVOICE, "token", "mint", "--no-env-file", "--incoming", "--count", str(args.count), "--identity-prefix", "user"])
    py = timed(PYTHON_MINT + ["user", "--count", str(args.count)])
    print(f"{'twvoice token mint --count':40} {args.count / tw:12.0f} tokens/s ({tw:.2f} s)")
    print(f"{'python twilio AccessToken loop':40} {args.count / py:12.0f} tokens/s ({py:.2f} s)")
    print(f"ratio: {py / tw:.1f}x")


if __name__ == "__main__":
    main()
