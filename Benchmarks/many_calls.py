#!/usr/bin/env python3
"""Many concurrent real-time calls: `twvoice stream replay --calls N` against a native loopback
echo bot (`twvoice stream capture --echo`), side by side with a Python asyncio simulator doing
the same (Benchmarks/stream_sim_python.py), on this machine's cores.

    make            # the release binary, as users get it
    python3 Benchmarks/many_calls.py [--seconds 60] [--twvoice-calls 1000] [--python-calls 20,40,60]

Every call plays the same input: `--seconds` of speech-like turns (1.5 s of a voiced tone, 1.5 s
of quiet), which the echo bot answers after 400 ms of quiet with what it heard, and the caller
plays out and echoes marks for, as Twilio does. For each run it prints how many calls completed,
how late frames left (p50/p99/max ms, as the sender measured on its monotonic clock), how late
they arrived at the bot (the capture's `arrival_lateness_ms`, judged by the frames' own
timestamps: the cross-check) and the sender's memory per call. A run "holds" its calls when all
complete and the send-lateness p99 is under 5 ms.
"""
import argparse
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import wave

from benchlib import ROOT, TWVOICE


def write_input(path, seconds):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        frames = bytearray()
        for n in range(int(seconds * 8000)):
            voiced = (n // 12000) % 2 == 0
            frames += struct.pack("<h", int(8000 * math.sin(2 * math.pi * 300 * n / 8000)) if voiced else 0)
        w.writeframes(bytes(frames))


class EchoBot:
    """`twvoice stream capture --echo` on a free loopback port, writing into a scratch folder."""

    def __init__(self, scratch):
        self.folder = tempfile.mkdtemp(dir=scratch)
        self.process = subprocess.Popen(
            [TWVOICE, "stream", "capture", "--listen", "127.0.0.1:0", "-o", self.folder, "--echo", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stderr.readline()
        self.url = line.split("capturing on ", 1)[1].split(" ", 1)[0]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)
        return json.loads(out)["arrival_lateness_ms"]


def run_twvoice(scratch, wav, calls, ramp):
    bot = EchoBot(scratch)
    start = time.perf_counter()
    result = subprocess.run(
        [TWVOICE, "stream", "replay", wav, "--url", bot.url, "--calls", str(calls), "--ramp", ramp,
         "--tail", "1s", "--json", "-q"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    arrival = bot.stop()
    s = json.loads(result.stdout)
    return {
        "tool": "twvoice", "calls": calls, "ramp": ramp, "completed": s["calls"]["completed"],
        "send_p50": s["send_lateness_ms"]["p50"], "send_p99": s["send_lateness_ms"]["p99"],
        "send_max": s["send_lateness_ms"]["max"], "arrival_p99": arrival["p99"], "arrival_max": arrival["max"],
        "kb_per_call": s["memory_per_call_kb"], "wall": wall,
    }


def run_python(scratch, wav, calls, ramp):
    bot = EchoBot(scratch)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "Benchmarks", "stream_sim_python.py"), "--url", bot.url,
         "--calls", str(calls), "--wav", wav, "--ramp", ramp.rstrip("s")],
        capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    arrival = bot.stop()
    s = json.loads(out)
    return {
        "tool": "python asyncio", "calls": calls, "ramp": ramp, "completed": s["completed"],
        "send_p50": s["p50"], "send_p99": s["p99"], "send_max": s["max"], "arrival_p99": arrival["p99"],
        "arrival_max": arrival["max"], "kb_per_call": s["memory_per_call_kb"], "wall": wall,
    }


def show(r):
    holds = r["completed"] == r["calls"] and float(r["send_p99"]) < 5
    print(f"{r['tool']:>15} {r['calls']:>5} calls ramp {r['ramp']:>3}: {r['completed']:>5} completed, "
          f"send lateness p50 {float(r['send_p50']):6.2f} p99 {float(r['send_p99']):7.2f} max {float(r['send_max']):8.2f} ms, "
          f"at the bot p99 {float(r['arrival_p99'] or 0):7.2f} max {float(r['arrival_max'] or 0):8.2f} ms, "
          f"{float(r['kb_per_call']):7.1f} kB/call, {r['wall']:.1f} s wall  -> {'holds' if holds else 'does not hold'}",
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--twvoice-calls", default="1000")
    parser.add_argument("--python-calls", default="20,40,60")
    parser.add_argument("--ramps", default="1s,0s")
    args = parser.parse_args()
    if not os.path.exists(TWVOICE):
        sys.exit(f"{TWVOICE} is missing: run make first")
    scratch = tempfile.mkdtemp(prefix="twvoice-bench-")
    try:
        wav = os.path.join(scratch, "turns.wav")
        write_input(wav, args.seconds)
        print(f"{os.cpu_count()} cores; each call {args.seconds:.0f} s of turns; echo bot: twvoice stream capture --echo")
        for ramp in args.ramps.split(","):
            for n in [int(x) for x in args.twvoice_calls.split(",") if x]:
                show(run_twvoice(scratch, wav, n, ramp))
            for n in [int(x) for x in args.python_calls.split(",") if x]:
                show(run_python(scratch, wav, n, ramp))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
