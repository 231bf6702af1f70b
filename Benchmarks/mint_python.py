#!/usr/bin/env python3
"""Baseline: mint a Twilio Voice Access Token with twilio-python, like the seed server.

Usage: mint_python.py IDENTITY              -> prints one JWT
       mint_python.py PREFIX --count N      -> N JSON lines {"token", "identity"} for PREFIX1..PREFIXN
Env:   TWILIO_ACCOUNT_SID TWILIO_API_KEY TWILIO_API_SECRET TWILIO_APPLICATION_SID
"""
import json, os, sys
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

ENV = [os.environ[k] for k in ("TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_APPLICATION_SID")]

def mint(identity):
    account_sid, api_key, secret, app_sid = ENV
    token = AccessToken(account_sid, api_key, secret, identity=identity)
    token.add_grant(VoiceGrant(outgoing_application_sid=app_sid, incoming_allow=True))
    return token.to_jwt()

args = sys.argv[1:]
if "--count" in args:
    i = args.index("--count"); n = int(args[i + 1]); prefix = (args[:i] + args[i + 2:] or [""])[0]
    out = sys.stdout
    for k in range(1, n + 1):
        out.write(json.dumps({"token": mint(f"{prefix}{k}"), "identity": f"{prefix}{k}"}) + "\n")
else:
    print(mint(args[0]))
