#!/usr/bin/env python3
"""Baseline: the WAV-to-Media-Streams script a bot developer writes with the standard library.

    python3 Benchmarks/encode_python.py in.wav out.jsonl STREAM_SID

wave to read, audioop.tomono / ratecv to 8 kHz (linear interpolation, no anti-alias filter),
audioop.lin2ulaw, then one json.dumps per 160-byte payload. audioop is in Python up to 3.12
(pip install audioop-lts on 3.13+).
"""
import base64
import json
import sys
import warnings
import wave

warnings.filterwarnings("ignore", category=DeprecationWarning)
try:
    import audioop
except ImportError:
    import audioop_lts as audioop

source, target, stream_sid = sys.argv[1:4]
with wave.open(source, "rb") as w:
    width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    pcm = w.readframes(w.getnframes())
if channels == 2:
    pcm = audioop.tomono(pcm, width, 0.5, 0.5)
if rate != 8000:
    pcm, _ = audioop.ratecv(pcm, width, 1, rate, 8000, None)
codes = audioop.lin2ulaw(pcm, width)
with open(target, "w") as out:
    for i in range(0, len(codes), 160):
        payload = base64.b64encode(codes[i:i + 160]).decode()
        out.write(json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}) + "\n")
