#!/usr/bin/env python3
"""Writes the caller audio the example scenarios speak (examples/scenarios/audio/*.wav).

Not recorded speech: a voice-like signal (a 140 Hz buzz with harmonics, its loudness rising and
falling in syllables of about 200 ms) followed by half a second of silence, so the caller's turn
ends. Energy detectors (twvoice's and a bot's) hear it as speech. 8 kHz G.711 mu-law WAV, 8 kB per
second. Deterministic: rerunning writes the same bytes.
"""
import math
import os
import struct

RATE = 8000


def mulaw(sample):
    """ITU-T G.711 mu-law of a 16-bit sample."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), clip) + bias
    exponent = 7
    for e in range(7, -1, -1):
        if magnitude & (0x4000 >> (7 - e)):
            exponent = e
            break
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def voice(seconds, syllable_hz=4.5):
    out = []
    for n in range(int(RATE * seconds)):
        t = n / RATE
        envelope = 0.55 + 0.45 * math.sin(2 * math.pi * syllable_hz * t)
        # Fade in and out over 30 ms, as speech starts and stops.
        edge = min(1.0, t / 0.03, (seconds - t) / 0.03)
        buzz = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in range(1, 6))
        out.append(int(7000 * envelope * edge * buzz))
    return out + [0] * (RATE // 2)


def write(path, samples):
    data = bytes(mulaw(s) for s in samples)
    fmt = struct.pack("<HHIIHHH", 7, 1, RATE, RATE, 1, 8, 0)
    fact = struct.pack("<I", len(data))
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<I", 4) + fact
    body += b"data" + struct.pack("<I", len(data)) + data
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "scenarios", "audio")
os.makedirs(here, exist_ok=True)
write(os.path.join(here, "hello.wav"), voice(1.0))
write(os.path.join(here, "question.wav"), voice(0.8, 5.0))
write(os.path.join(here, "wait.wav"), voice(1.5, 4.0))
