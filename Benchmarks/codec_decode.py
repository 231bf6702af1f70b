#!/usr/bin/env python3
"""twvoice codec decode vs the Python baseline and sox, on a 1-hour capture, in one run.

    pip install numpy; apt-get install sox   # sox is optional
    swift build -c release --static-swift-stdlib
    python3 Benchmarks/codec_decode.py [--seconds 3600] [--runs 5] [--dir /tmp/twvoice-bench]
        [--twvoice PATH] [--before PATH]

--twvoice picks the binary measured (default .build/release/twvoice); --before adds a second
twvoice binary (another branch's build) to the same alternating runs, to compare two versions.

Each tool runs as a whole process (start-up included) on the same file in a warm page cache,
alternating, writing a new output file (the previous one is deleted outside the timing); every output's PCM is checked against the generator's SHA-256 first. Prints median
wall time, JSONL throughput and the ratio to the Python baseline. sox decodes the raw µ-law
(no JSON, no base64): the floor of what a shell pipeline can do.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys

from benchlib import ROOT, TWVOICE, time_alternating


def pcm_sha(path):
    data = open(path, "rb").read()
    start = data.index(b"data") + 8
    return hashlib.sha256(data[start:]).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/tmp/twvoice-bench")
    parser.add_argument("--twvoice", default=TWVOICE, help="the twvoice binary to measure")
    parser.add_argument("--before", help="a second twvoice binary to time alongside (e.g. main's)")
    args = parser.parse_args()
    if not os.path.exists(args.twvoice):
        sys.exit("build first: swift build -c release --static-swift-stdlib")
    capture = os.path.join(args.dir, "capture.jsonl")
    if not os.path.exists(capture):
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "make_capture.py"), args.dir,
                        "--seconds", str(args.seconds)], check=True)
    expected = open(os.path.join(args.dir, "expected.sha256")).read().strip()
    size = os.path.getsize(capture)
    out = os.path.join(args.dir, "out.wav")
    tools = {
        "twvoice codec decode": [args.twvoice, "codec", "decode", capture, "-o", out, "--quiet"],
        "python json+base64+audioop+wave": [sys.executable, os.path.join(ROOT, "Benchmarks", "decode_python.py"), capture, out],
    }
    if args.before:
        tools["twvoice codec decode (before)"] = [args.before, "codec", "decode", capture, "-o", out, "--quiet"]
    if shutil.which("sox"):
        tools["sox, raw µ-law only"] = ["sox", "-t", "ul", "-r", "8000", "-c", "1",
                                        os.path.join(args.dir, "capture.ul"), "-e", "signed", "-b", "16", out]
    for name, cmd in tools.items():
        subprocess.run(cmd, check=True)
        if pcm_sha(out) != expected:
            sys.exit(f"{name}: wrong PCM")
    medians = time_alternating(tools, args.runs, output=out)
    baseline = medians["python json+base64+audioop+wave"]
    print(f"{args.seconds} s capture, {size / 1e6:.1f} MB of JSON lines, {args.runs} runs each, medians")
    print(f"{'tool':36} {'wall s':>8} {'MB/s':>8} {'vs python':>10}")
    for name, median in medians.items():
        print(f"{name:36} {median:8.3f} {size / 1e6 / median:8.0f} {baseline / median:9.1f}x")


if __name__ == "__main__":
    main()
