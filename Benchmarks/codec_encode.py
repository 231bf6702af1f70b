#!/usr/bin/env python3
"""twvoice codec encode vs the Python baseline and sox, on a 1-hour 48 kHz WAV, in one run.

    pip install numpy; apt-get install sox   # sox is optional
    make
    python3 Benchmarks/codec_encode.py [--seconds 3600] [--runs 3] [--dir /tmp/twvoice-bench]

twvoice: WAV -> polyphase resampler (80 dB) -> G.191 µ-law -> outbound media JSON lines.
Python baseline (encode_python.py): audioop.ratecv (no anti-alias filter) -> lin2ulaw ->
json.dumps per payload. sox: `sox in.wav -r 8000 -e mu-law` to raw µ-law, its high-quality
resampler, no JSON. Whole-process wall times (min/median/max) and median CPU, alternating, new
output file per run; `--before PATH` times an earlier twvoice binary in the same alternation.
"""
import argparse
import os
import shutil
import subprocess
import sys

from benchlib import ROOT, TWVOICE, time_alternating_stats
SID = "MZ0123456789abcdef0123456789abcdef"


def make_wav(path, seconds):
    import numpy as np
    import wave
    rate = 48000
    t = np.arange(seconds * rate) / rate
    rng = np.random.default_rng(3)
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t)) + rng.normal(0, 0.02, t.size)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(x * 32767, -32768, 32767).astype("<i2").tobytes())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/tmp/twvoice-bench")
    parser.add_argument("--twvoice", default=TWVOICE, help="the twvoice binary to measure")
    parser.add_argument("--before", help="a second twvoice binary to time alongside (e.g. main's)")
    args = parser.parse_args()
    if not os.path.exists(args.twvoice):
        sys.exit("build first: make")
    os.makedirs(args.dir, exist_ok=True)
    wav = os.path.join(args.dir, f"tone48k-{args.seconds}s.wav")
    if not os.path.exists(wav):
        make_wav(wav, args.seconds)
    out = os.path.join(args.dir, "encoded.out")
    tools = {
        "twvoice codec encode (messages)": [args.twvoice, "codec", "encode", wav, "-o", out, "--stream-sid", SID, "-q"],
        "python wave+audioop+json": [sys.executable, os.path.join(ROOT, "Benchmarks", "encode_python.py"), wav, out, SID],
    }
    if args.before:
        tools["twvoice (before)"] = [args.before, "codec", "encode", wav, "-o", out, "--stream-sid", SID, "-q"]
    if shutil.which("sox"):
        tools["sox to raw µ-law (no JSON)"] = ["sox", wav, "-r", "8000", "-e", "mu-law", "-t", "raw", out]
    stats = time_alternating_stats(tools, args.runs, output=out)
    os.remove(out)
    baseline = stats["python wave+audioop+json"]["median"]
    print(f"{args.seconds} s of 48 kHz mono PCM16 ({os.path.getsize(wav) / 1e6:.0f} MB), {args.runs} runs each, alternating")
    print(f"{'tool':34} {'min s':>7} {'median':>7} {'max s':>7} {'cpu s':>7} {'x real time':>12} {'vs python':>10}")
    for name, st in stats.items():
        print(f"{name:34} {st['min']:7.2f} {st['median']:7.2f} {st['max']:7.2f} {st['cpu']:7.2f} "
              f"{args.seconds / st['median']:12.0f} {baseline / st['median']:9.1f}x")

if __name__ == "__main__":
    main()
