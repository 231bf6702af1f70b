#!/usr/bin/env python3
"""twvoice codec decode vs the Python baseline and sox, on a 1-hour capture, in one run.

    pip install numpy; apt-get install sox   # sox is optional
    swift build -c release --static-swift-stdlib
    python3 Benchmarks/codec_decode.py [--seconds 3600] [--runs 9] [--dir /tmp/twvoice-bench]
        [--out-dirs DIR,DIR] [--twvoice PATH] [--before PATH]

--twvoice picks the binary measured (default .build/release/twvoice); --before adds a second
twvoice binary (another branch's build) to the same alternating runs, to compare two versions.

Each tool runs as a whole process (start-up included) on the same file in a warm page cache,
alternating, writing a new output file (the previous one is deleted outside the timing); every
output's PCM is checked against the generator's SHA-256 first. Prints, per output folder, the
wall time's min/median/max, the median CPU time (user + system), JSONL throughput and the ratio
to the Python baseline (median, and the range of ratios the extremes allow). The default output
folders are the capture's own (on disk) and /dev/shm (RAM-backed): the second takes the
kernel's writeback of the 115 MB WAV out of the figure, so what is left is the tools' own work.
sox decodes the raw µ-law (no JSON, no base64): the floor of what a shell pipeline can do.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys

from benchlib import ROOT, TWVOICE, time_alternating_stats


def pcm_sha(path):
    data = open(path, "rb").read()
    start = data.index(b"data") + 8
    return hashlib.sha256(data[start:]).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--out-dirs", help="folders to write the output in, comma-separated "
                        "(default: --dir and /dev/shm when it exists)")
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
    out_dirs = args.out_dirs.split(",") if args.out_dirs else [args.dir] + (["/dev/shm"] if os.path.isdir("/dev/shm") else [])
    print(f"{args.seconds} s capture, {size / 1e6:.1f} MB of JSON lines, {args.runs} runs each, alternating")
    for out_dir in out_dirs:
        out = os.path.join(out_dir, "twvoice-bench-out.wav")
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
        stats = time_alternating_stats(tools, args.runs, output=out)
        os.remove(out)
        base = stats["python json+base64+audioop+wave"]
        print(f"output in {out_dir}")
        print(f"{'tool':36} {'min s':>7} {'median':>7} {'max s':>7} {'cpu s':>7} {'MB/s':>6} {'vs python (range)':>20}")
        for name, s in stats.items():
            ratio = f"{base['median'] / s['median']:.1f}x ({base['min'] / s['max']:.1f}-{base['max'] / s['min']:.1f})"
            print(f"{name:36} {s['min']:7.3f} {s['median']:7.3f} {s['max']:7.3f} {s['cpu']:7.3f} "
                  f"{size / 1e6 / s['median']:6.0f} {ratio:>20}")


if __name__ == "__main__":
    main()
