#!/usr/bin/env python3
"""Baseline: the capture-to-WAV script a Media Streams developer writes with the standard library.

    python3 Benchmarks/decode_python.py capture.jsonl out.wav

json.loads per line, base64 for media.payload, audioop.ulaw2lin, wave. audioop is in Python up
to 3.12 (pip install audioop-lts on 3.13+).
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

pcm = bytearray()
with open(sys.argv[1], "rb") as capture:
    for line in capture:
        message = json.loads(line)
        if message.get("event") == "media":
            pcm += audioop.ulaw2lin(base64.b64decode(message["media"]["payload"]), 2)
with wave.open(sys.argv[2], "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(8000)
    out.writeframes(bytes(pcm))
