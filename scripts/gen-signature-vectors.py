#!/usr/bin/env python3
"""X-Twilio-Signature vectors from twilio-python's RequestValidator.

    pip install twilio && python3 scripts/gen-signature-vectors.py

Writes Tests/TwvoiceCoreTests/Fixtures/signature-vectors.jsonl (url, params, auth token and the
signature Twilio's own validator computes; the example from Twilio's security docs and
Media Streams upgrade URLs) and webhook-validation-vectors.jsonl (validate() decisions).
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
    # Canonically equivalent names (one code point, or a letter and a combining accent): Python
    # keeps them apart and orders them by code point.
    ("12345", "https://example.com/voice", {"\u00e9": "1", "e\u0301": "2", "x": "e\u0301"}),
]

with open(os.path.join(ROOT, "Tests/TwvoiceCoreTests/Fixtures/signature-vectors.jsonl"), "w", encoding="utf-8") as f:
    for token, url, params in CASES:
        signature = RequestValidator(token).compute_signature(url, params)
        f.write(json.dumps({"auth_token": token, "url": url, "params": params, "signature": signature}, ensure_ascii=False) + "\n")

# Validation as RequestValidator.validate decides it: both algorithms, the port variants it
# accepts, JSON bodies signed through bodySHA256, and requests it must refuse.
# Writes Tests/TwvoiceCoreTests/Fixtures/webhook-validation-vectors.jsonl: key, algorithm, the
# URL signed, the URL checked, params or body, the signature, and whether validate() accepts it.
VALIDATION = []


def case(key, algorithm, signed_url, checked_url, params=None, body=None, tamper=None):
    validator = RequestValidator(key)
    if body is not None:
        signature = validator.compute_signature(signed_url, {}, algorithm)
        checked_content = tamper if tamper is not None else body
        valid = validator.validate(checked_url, checked_content, signature, algorithm)
        VALIDATION.append({"key": key, "algorithm": algorithm, "signed_url": signed_url, "url": checked_url,
                           "body": checked_content, "signature": signature, "valid": valid})
    else:
        signature = validator.compute_signature(signed_url, params, algorithm)
        checked = tamper if tamper is not None else params
        valid = validator.validate(checked_url, checked, signature, algorithm)
        VALIDATION.append({"key": key, "algorithm": algorithm, "signed_url": signed_url, "url": checked_url,
                           "params": checked, "signature": signature, "valid": valid})


FORM = {"CallSid": "CA1234567890ABCDE", "From": "client:alice", "To": "+18005551212", "名前": "値 & more",
        "Z": "upper", "a": "lower", "é": "accent"}
for algorithm in ["HMAC_SHA1", "HMAC_SHA256"]:
    key = "0123456789abcdef0123456789abcdef" if algorithm == "HMAC_SHA1" else "shared key secret ✓"
    case(key, algorithm, "https://example.com/voice", "https://example.com/voice", FORM)
    case(key, algorithm, "https://example.com:443/voice", "https://example.com/voice", FORM)
    case(key, algorithm, "https://example.com/voice", "https://example.com:443/voice", FORM)
    case(key, algorithm, "http://127.0.0.1:8080/voice?x=1", "http://127.0.0.1:8080/voice?x=1", FORM)
    case(key, algorithm, "https://example.com/voice", "https://example.com/voice", FORM,
         tamper=dict(FORM, To="+18005550000"))
    case(key, algorithm, "https://example.com/voice", "https://example.com/voice2", FORM)
    body = '{"CallSid":"CA1","note":"ü"}'
    hashed = "https://example.com/events?bodySHA256=" + RequestValidator(key).compute_hash(body)
    case(key, algorithm, hashed, hashed, body=body)
    case(key, algorithm, hashed, hashed, body=body, tamper=body + " ")

with open(os.path.join(ROOT, "Tests/TwvoiceCoreTests/Fixtures/webhook-validation-vectors.jsonl"), "w",
          encoding="utf-8") as f:
    for entry in VALIDATION:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
