#!/usr/bin/env python3
"""X-Twilio-Signature vectors from twilio-python's RequestValidator.

    pip install twilio && python3 scripts/gen-signature-vectors.py

Writes Tests/TwvoiceCoreTests/Fixtures/signature-vectors.jsonl: url, params, auth token and the
signature Twilio's own validator computes. Includes the example from Twilio's security docs and
Media Streams upgrade URLs (wss://, no params).
"""
import json
import os

from twilio.request_validator import RequestValidator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    ("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
     {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}),
    ("12345", "wss://bot.example.com/ws", {}),
    ("0123456789abcdef0123456789abcdef", "wss://abc123.ngrok.app/media-stream", {}),
    ("0123456789abcdef0123456789abcdef", "ws://127.0.0.1:8080/ws", {}),
    ("token with spaces é", "wss://example.com/a/b", {}),
    ("t", "https://example.com/voice", {"b": "2", "a": "1", "aa": "x"}),
]

with open(os.path.join(ROOT, "Tests/TwvoiceCoreTests/Fixtures/signature-vectors.jsonl"), "w", encoding="utf-8") as f:
    for token, url, params in CASES:
        signature = RequestValidator(token).compute_signature(url, params)
        f.write(json.dumps({"auth_token": token, "url": url, "params": params, "signature": signature}, ensure_ascii=False) + "\n")
