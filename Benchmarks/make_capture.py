#!/usr/bin/env python3
"""Write a synthetic Twilio Media Streams capture for benchmarks.

    python3 Benchmarks/make_capture.py OUT_DIR [--seconds 3600] [--seed 7]

OUT_DIR/capture.jsonl  connected, start, one media line per 20 ms (160 µ-law bytes, base64),
                       stop; Twilio's field order, 387 bytes per media line
OUT_DIR/capture.ul     the same µ-law bytes, raw (for sox)
OUT_DIR/expected.sha256  SHA-256 of the PCM16 samples every decoder must produce

The audio alternates voiced bursts (a few harmonics of a 100-250 Hz pitch under a syllable-rate
envelope) with pauses over a quiet noise floor, so payloads vary like speech. µ-law encoding
follows ITU-T G.191 (one's complement for negative samples before the 16->14-bit shift).
Needs numpy.
"""
import argparse
import base64
import hashlib
import json
import os

import numpy as np

RATE = 8000
FRAME = 160


def g191_mulaw(samples):
    x = samples.astype(np.int32)
    negative = x < 0
    magnitude = np.minimum((np.where(negative, ~x, x) >> 2) + 33, 0x1FFF)
    segment = np.zeros_like(magnitude)
    rest = magnitude >> 6
    while rest.any():
        segment += rest != 0
        rest >>= 1
    code = 0x7F ^ ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    return np.where(negative, code, code | 0x80).astype(np.uint8)


def mulaw_table():
    table = np.zeros(256, dtype=np.int16)
    for code in range(256):
        u = ~code & 0xFF
        t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
        table[code] = 0x84 - t if u & 0x80 else t - 0x84
    return table


def speech(seconds, rng):
    n = seconds * RATE
    t = np.arange(n) / RATE
    gate = np.zeros(n)
    position = 0
    while position < n:
        talk = int(rng.uniform(0.5, 2.5) * RATE)
        gate[position:position + talk] = 1.0
        position += talk + int(rng.uniform(0.2, 1.2) * RATE)
    pitch = 100 + 150 * rng.random()
    voice = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6))
    syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    noise = rng.normal(0, 12, n)
    return np.clip(voice * syllables * gate * 6000 + noise, -32768, 32767).astype(np.int16)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    codes = g191_mulaw(speech(args.seconds, rng))
    stream = "MZ" + "".join(rng.choice(list("0123456789abcdef"), 32))
    call = "CA" + "".join(rng.choice(list("0123456789abcdef"), 32))
    with open(os.path.join(args.out, "capture.jsonl"), "w") as f:
        f.write('{"event":"connected","protocol":"Call","version":"1.0.0"}\n')
        start = {"event": "start", "sequenceNumber": "1", "start": {
            "accountSid": "AC" + "0" * 32, "streamSid": stream, "callSid": call, "tracks": ["inbound"],
            "customParameters": {}, "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}},
            "streamSid": stream}
        f.write(json.dumps(start, separators=(",", ":")) + "\n")
        for i in range(len(codes) // FRAME):
            payload = base64.b64encode(codes[i * FRAME:(i + 1) * FRAME].tobytes()).decode()
            f.write('{"event":"media","sequenceNumber":"%d","media":{"track":"inbound","chunk":"%d",'
                    '"timestamp":"%d","payload":"%s"},"streamSid":"%s"}\n'
                    % (i + 2, i + 1, i * 20 + 14, payload, stream))
        f.write('{"event":"stop","sequenceNumber":"%d","streamSid":"%s","stop":{"accountSid":"AC%s","callSid":"%s"}}\n'
                % (len(codes) // FRAME + 2, stream, "0" * 32, call))
    codes.tofile(os.path.join(args.out, "capture.ul"))
    pcm = mulaw_table()[codes].astype("<i2").tobytes()
    with open(os.path.join(args.out, "expected.sha256"), "w") as f:
        f.write(hashlib.sha256(pcm).hexdigest() + "\n")


if __name__ == "__main__":
    main()
