#!/usr/bin/env python3
"""Pacing accuracy of `twvoice stream replay`, against a silent WebSocket bot on loopback.

    pip install websockets
    swift build -c release --static-swift-stdlib
    python3 Benchmarks/stream_pacing.py [--minutes 10]

Real time: how late each 20 ms media frame leaves against its absolute schedule (p50, p99, max,
from the replay's own --json summary, measured on the monotonic clock at send time), and the
frame rate the bot actually received. --fast: messages per second reached.
"""
import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time

from benchlib import TWVOICE

import websockets


def serve(port_holder, counter, ready):
    async def handler(ws):
        async for _ in ws:
            counter[0] += 1

    async def main():
        async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
            port_holder.append(server.sockets[0].getsockname()[1])
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


def replay(port, args):
    cmd = [TWVOICE, "stream", "replay", "--url", f"ws://127.0.0.1:{port}/ws", "--tail", "0s", "--json", "--seed", "1"] + args
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    port, counter, ready = [], [0], threading.Event()
    threading.Thread(target=serve, args=(port, counter, ready), daemon=True).start()
    ready.wait()
    seconds = int(args.minutes * 60)
    summary, wall = replay(port[0], ["--silence", f"{seconds}s"])
    p = summary["pacing_lateness_ms"]
    print(f"real time, {seconds} s of audio ({p['frames']} frames) in {wall:.2f} s wall")
    print(f"  send lateness ms: p50 {p['p50']}  p99 {p['p99']}  max {p['max']}")
    counter[0] = 0
    summary, wall = replay(port[0], ["--silence", "3600s", "--fast"])
    print(f"--fast, 1 hour of audio: {summary['messages_sent']} messages in {wall:.2f} s = {summary['messages_sent'] / wall:,.0f} messages/s")


if __name__ == "__main__":
    main()
