#!/usr/bin/env python3
"""The baseline for `stream replay --calls N`: N Media Streams calls from one Python asyncio
process, the way a team would script a load test without twvoice (standard library only, so it
runs anywhere python3 does).

    python3 Benchmarks/stream_sim_python.py --url ws://127.0.0.1:8080/ --calls 40 --wav in.wav

Each call does what Twilio does toward a bot: WebSocket upgrade, `connected`, `start`, a `media`
frame every 20 ms on an absolute schedule (asyncio's monotonic clock), echoes the bot's marks
once the audio queued before them has played, `stop`, close. Prints one JSON line: calls
completed, how late frames left (p50/p99/max ms) and the memory it took per call.
"""
import argparse
import asyncio
import base64
import json
import os
import struct
import wave


def mulaw(sample):
    """G.711 µ-law of one 16-bit sample (the classic segment search)."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(32635, -sample if sample < 0 else sample) + 132
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def load_payloads(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 8000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        samples = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
    law = bytes(mulaw(s) for s in samples)
    return [base64.b64encode(law[i:i + 160].ljust(160, b"\xff")).decode() for i in range(0, len(law), 160)]


def frame(text):
    """A masked client text frame (RFC 6455)."""
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return head + mask + masked


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    return b0 & 0x0F, await reader.readexactly(n)


async def call(k, host, port, path, payloads, lateness, done):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: Twilio.TmeWs/1.0\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    sid = f"MZ{k:032x}"
    seq = 0

    def send(message):
        nonlocal seq
        seq += 1
        message["sequenceNumber"] = str(seq)
        writer.write(frame(json.dumps(message, separators=(",", ":"))))

    writer.write(frame('{"event":"connected","protocol":"Call","version":"1.0.0"}'))
    send({"event": "start", "start": {"accountSid": "AC" + "0" * 32, "streamSid": sid, "callSid": f"CA{k:032x}",
                                      "tracks": ["inbound"], "customParameters": {},
                                      "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}},
          "streamSid": sid})
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    playout_end = [t0]

    async def listen():
        # The bot's audio plays at 8,000 bytes/s; a mark is echoed when what came before it has played.
        try:
            while True:
                opcode, data = await read_frame(reader)
                if opcode == 8:
                    return
                if opcode != 1:
                    continue
                message = json.loads(data)
                now = loop.time()
                if message.get("event") == "media":
                    audio = len(base64.b64decode(message["media"]["payload"]))
                    playout_end[0] = max(playout_end[0], now) + audio / 8000
                elif message.get("event") == "mark":
                    name = message["mark"]["name"]
                    loop.call_at(max(now, playout_end[0]),
                                 lambda name=name: send({"event": "mark", "streamSid": sid, "mark": {"name": name}}))
                elif message.get("event") == "clear":
                    playout_end[0] = now
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    listener = asyncio.create_task(listen())
    for i, payload in enumerate(payloads):
        due = t0 + 0.02 * i
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lateness.append((loop.time() - due) * 1000)
        send({"event": "media", "media": {"track": "inbound", "chunk": str(i + 1), "timestamp": str(100 + 20 * i),
                                          "payload": payload}, "streamSid": sid})
    send({"event": "stop", "stop": {"accountSid": "AC" + "0" * 32, "callSid": f"CA{k:032x}"}, "streamSid": sid})
    writer.write(b"\x88\x82" + os.urandom(4) + b"\x03\xe8")
    await writer.drain()
    try:
        await asyncio.wait_for(listener, 5)
    except asyncio.TimeoutError:
        listener.cancel()
    writer.close()
    done.append(k)


def resident_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(p * len(ordered) + 0.999999) - 1))]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--wav", required=True)
    parser.add_argument("--ramp", type=float, default=0)
    args = parser.parse_args()
    rest = args.url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.rpartition(":")
    payloads = load_payloads(args.wav)
    lateness, done = [], []
    before = resident_kb()
    peak = [before]

    async def watch():
        # The busiest moment's resident memory, sampled as the calls run.
        while True:
            peak[0] = max(peak[0], resident_kb())
            await asyncio.sleep(0.1)

    async def start(k):
        await asyncio.sleep(args.ramp * k / args.calls)
        await call(k, host, int(port), "/" + path, payloads, lateness, done)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(start(k) for k in range(args.calls)), return_exceptions=True)
    watcher.cancel()
    after = peak[0]
    print(json.dumps({
        "calls": args.calls, "completed": len(done), "frames": len(lateness),
        "p50": percentile(lateness, 0.5), "p99": percentile(lateness, 0.99), "max": max(lateness),
        "memory_per_call_kb": (after - before) / args.calls,
    }))


if __name__ == "__main__":
    asyncio.run(main())
