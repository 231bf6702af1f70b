#!/usr/bin/env python3
"""Generate Twilio Access Token reference vectors for the Swift TwvoiceCore tests.

Rerun with:

    pip install twilio PyJWT && python3 scripts/gen-token-vectors.py

Writes Tests/TwvoiceCoreTests/Fixtures/access-token-vectors.jsonl (one JSON object
per line). Tokens are minted with twilio-python's real AccessToken and grants
(signed by PyJWT) with time.time patched, so the output is byte-for-byte
deterministic for a given twilio/PyJWT version (and the random combinations use
a fixed random.Random seed; CPython's Random is stable since 3.2). If you
upgrade twilio or PyJWT, update EXPECTED_GENERATOR and diff the fixture.

Each vector: name, generator, account_sid, api_key, secret, identity, now, ttl
(null = library default 3600), valid_until, nbf (int | null = default "now" |
"none" = nbf=None passed, claim omitted), region, grants (add_grant order; each
{"type": ..., <constructor kwargs as given>}), header/payload (exact decoded
JSON text of JWT parts 1/2), token (to_jwt() output).

Observed twilio-python 9.13.0 / PyJWT 2.15.1 behaviour worth knowing:
  * Header is PyJWT's, with sorted keys: {"alg","cty","twr"?,"typ"}; compact
    separators. twr only when region is a non-empty str.
  * Payload key order (NOT sorted): jti, grants, iss, exp, nbf?, sub.
    valid_until overwrites exp in place (position unchanged). nbf=None omits
    nbf; nbf=0 is emitted as 0 (checked with `is not None`), but
    valid_until=0 is ignored (checked by truthiness) -> exp = now + ttl.
  * Payload JSON uses json.dumps defaults: ensure_ascii=True (non-ASCII as
    lowercase \\uXXXX, astral chars as surrogate pairs), "/" "<" "&" NOT
    escaped, DEL as \\u007f, control chars as \\n, \\t, \\u0001 ...
    Inside each grant, fields are in the library's fixed order (voice:
    incoming, outgoing{application_sid, params}, push_credential_sid,
    endpoint_id), independent of the kwargs order.
  * grants is {grant.key: payload for grant in grants}; "identity" is added
    LAST inside grants, and only if identity is truthy ("" is omitted).
    Grant keys: voice, video, chat, data_sync (SyncGrant!), task_router.
  * Every grant field is emitted only if truthy: incoming_allow=False, "" SIDs
    and {} params are dropped; params are dropped without an application sid.
    Params values are passed through verbatim (non-string JSON values allowed).
  * A grant type added twice is NOT rejected: the dict comprehension keeps the
    FIRST position but the LAST grant's payload. Not vectorised here.
  * No ttl validation: 0, 86401 etc. are accepted; exp = int(now) + ttl.
  * to_jwt() raises ValueError on an empty secret; PyJWT only warns
    (InsecureKeyLengthWarning, suppressed here) for HMAC keys < 32 bytes.
    Secrets are UTF-8 encoded before HMAC.
"""
import base64
import json
import random
import string
import sys
import warnings
from pathlib import Path
from unittest.mock import patch

import jwt
import twilio
from jwt.warnings import InsecureKeyLengthWarning
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import (
    ChatGrant,
    SyncGrant,
    TaskRouterGrant,
    VideoGrant,
    VoiceGrant,
)

warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)

GENERATOR = "twilio-python {} / PyJWT {}".format(twilio.__version__, jwt.__version__)
EXPECTED_GENERATOR = "twilio-python 9.13.0 / PyJWT 2.15.1"
OUT = (
    Path(__file__).resolve().parent.parent
    / "Tests" / "TwvoiceCoreTests" / "Fixtures" / "access-token-vectors.jsonl"
)
SEED = 20240917
N_RANDOM = 120

GRANT_CLASSES = {
    "voice": VoiceGrant,
    "video": VideoGrant,
    "chat": ChatGrant,
    "sync": SyncGrant,
    "task_router": TaskRouterGrant,
}

AC = "AC" + "a" * 32
SK = "SK" + "b" * 32
AP = "AP" + "c" * 32
CR = "CR" + "d" * 32
NOW = 1700000000

# Documented V1 token; the script refuses to write anything if it differs.
V1_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHlwIjoiSldUIn0."
    "eyJqdGkiOiJTS2JiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiLTE3MDAwMDAwMDAiLCJn"
    "cmFudHMiOnsidm9pY2UiOnsiaW5jb21pbmciOnsiYWxsb3ciOnRydWV9LCJvdXRnb2luZyI6eyJh"
    "cHBsaWNhdGlvbl9zaWQiOiJBUGNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjIn19LCJp"
    "ZGVudGl0eSI6ImFsaWNlIn0sImlzcyI6IlNLYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi"
    "YmIiLCJleHAiOjE3MDAwMDM2MDAsIm5iZiI6MTcwMDAwMDAwMCwic3ViIjoiQUNhYWFhYWFhYWFh"
    "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYSJ9.j4S2B73-WfnsYoSfgX8PnCaCB2KccgSH4514d46GYt4"
)


def b64url_decode_text(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8")


def mint(name, account_sid=AC, api_key=SK, secret="secret", identity=None, now=NOW,
         ttl=None, valid_until=None, nbf=None, region=None, grants=()):
    """Mint one token with twilio-python and return the vector dict."""
    kwargs = {}
    if identity is not None:
        kwargs["identity"] = identity
    if ttl is not None:
        kwargs["ttl"] = ttl
    if valid_until is not None:
        kwargs["valid_until"] = valid_until
    if nbf == "none":
        kwargs["nbf"] = None
    elif nbf is not None:
        kwargs["nbf"] = nbf
    if region is not None:
        kwargs["region"] = region
    grants = [dict(g) for g in grants]
    with patch("time.time", return_value=now):
        token = AccessToken(account_sid, api_key, secret, **kwargs)
        for g in grants:
            fields = {k: v for k, v in g.items() if k != "type"}
            token.add_grant(GRANT_CLASSES[g["type"]](**fields))
        jwt_str = token.to_jwt()
    parts = jwt_str.split(".")
    assert len(parts) == 3, name
    header, payload = b64url_decode_text(parts[0]), b64url_decode_text(parts[1])
    decoded = jwt.decode(jwt_str, secret, algorithms=["HS256"],
                         options={"verify_exp": False, "verify_nbf": False})
    assert decoded == json.loads(payload), name
    assert jwt.get_unverified_header(jwt_str) == json.loads(header), name
    return {
        "name": name,
        "generator": GENERATOR,
        "account_sid": account_sid,
        "api_key": api_key,
        "secret": secret,
        "identity": identity,
        "now": now,
        "ttl": ttl,
        "valid_until": valid_until,
        "nbf": nbf,
        "region": region,
        "grants": grants,
        "header": header,
        "payload": payload,
        "token": jwt_str,
    }


def voice(**kw):
    return dict(type="voice", **kw)


V1_GRANT = voice(outgoing_application_sid=AP, incoming_allow=True)
SPECIALS = 'q"b\\s/<a&b>n\nt\tc\x01d\x7f'


def documented():
    return [
        mint("voice-basic", identity="alice", grants=[V1_GRANT]),
        mint("voice-full-ie1", identity="alice", ttl=600, region="ie1", grants=[voice(
            outgoing_application_sid=AP, outgoing_application_params={"foo": "bar"},
            push_credential_sid=CR, endpoint_id="alice-iphone")]),
        mint("no-grants-no-identity", account_sid="AC123", api_key="SK123"),
    ]


def edge_cases():
    v = []
    add = lambda name, **kw: v.append(mint(name, **kw))
    # --- identity ---
    add("identity-empty", identity="", grants=[V1_GRANT])
    add("identity-null-voice", grants=[V1_GRANT])
    add("identity-only-no-grants", identity="alice")
    add("identity-accent", identity="José-café", grants=[V1_GRANT])
    add("identity-cjk", identity="中文用户", grants=[V1_GRANT])
    add("identity-emoji", identity="alice\U0001F600", grants=[V1_GRANT])
    add("identity-unicode-mix", identity="é中\U0001F600\U0001F389ß\u00a0Ω", grants=[V1_GRANT])
    add("identity-quote", identity='al"ice', grants=[V1_GRANT])
    add("identity-backslash", identity="al\\ice", grants=[V1_GRANT])
    add("identity-slash", identity="client/alice", grants=[V1_GRANT])
    add("identity-lt-amp", identity="<alice&bob>", grants=[V1_GRANT])
    add("identity-newline", identity="alice\nbob", grants=[V1_GRANT])
    add("identity-tab", identity="alice\tbob", grants=[V1_GRANT])
    add("identity-ctrl-01", identity="alice\x01bob", grants=[V1_GRANT])
    add("identity-del", identity="alice\x7fbob", grants=[V1_GRANT])
    add("identity-all-specials", identity=SPECIALS + "é\U0001F600", grants=[V1_GRANT])
    add("identity-spaces", identity="  alice  ", grants=[V1_GRANT])
    add("identity-long-121", identity="a" * 60 + "_" + "9" * 60, grants=[V1_GRANT])
    add("identity-long-1000", identity="x" * 1000, grants=[V1_GRANT])
    # --- voice grant fields ---
    add("voice-empty", identity="alice", grants=[voice()])
    add("voice-incoming-only", identity="alice", grants=[voice(incoming_allow=True)])
    add("voice-incoming-false", identity="alice",
        grants=[voice(incoming_allow=False, outgoing_application_sid=AP)])
    add("voice-incoming-false-only", identity="alice", grants=[voice(incoming_allow=False)])
    add("voice-outgoing-only", identity="alice", grants=[voice(outgoing_application_sid=AP)])
    add("voice-push-only", identity="alice", grants=[voice(push_credential_sid=CR)])
    add("voice-endpoint-only", identity="alice", grants=[voice(endpoint_id="alice-web")])
    add("voice-empty-strings", identity="alice", grants=[voice(
        outgoing_application_sid="", push_credential_sid="", endpoint_id="")])
    add("voice-all-fields", identity="alice", grants=[voice(
        endpoint_id="ep-1", push_credential_sid=CR, outgoing_application_params={"a": "1"},
        outgoing_application_sid=AP, incoming_allow=True)])
    add("voice-params-without-app-sid", identity="alice", grants=[voice(
        incoming_allow=True, outgoing_application_params={"foo": "bar"})])
    add("voice-params-empty", identity="alice", grants=[voice(
        incoming_allow=True, outgoing_application_sid=AP, outgoing_application_params={})])
    add("voice-params-ten-unsorted", identity="alice", grants=[voice(
        incoming_allow=True, outgoing_application_sid=AP, outgoing_application_params={
            "zeta": "26", "alpha": "1", "Mike": "13", "delta": "4", "_under": "_",
            "10": "ten", "2": "two", "beta": "2", "Alpha": "A", "yankee": "25"})])
    add("voice-params-specials", identity="alice", grants=[voice(
        outgoing_application_sid=AP, outgoing_application_params={
            "quote": 'say "hi"', "backslash": "C:\\tmp", "slash": "a/b", "html": "<b>&amp;</b>",
            "newline": "l1\nl2", "tab": "a\tb", "ctrl": "\x01", "del": "\x7f",
            "unicode": "é中\U0001F600", "empty": ""})])
    add("voice-params-special-keys", identity="alice", grants=[voice(
        outgoing_application_sid=AP, outgoing_application_params={
            'k"q': "1", "k\\b": "2", "k/s": "3", "<k&>": "4", "k\n": "5", "ké\U0001F600": "6"})])
    # Canonically equivalent keys (one code point; a letter and a combining accent) stay apart.
    add("voice-params-canonical-equivalents", identity="alice", grants=[voice(
        outgoing_application_sid=AP, outgoing_application_params={
            "\u00e9": "1", "e\u0301": "2", "k": "e\u0301"})])
    add("voice-params-nonstring", identity="alice", grants=[voice(
        outgoing_application_sid=AP, outgoing_application_params={
            "int": 42, "neg": -7, "true": True, "false": False, "null": None,
            "list": [1, "a", None], "obj": {"y": 1, "x": "2"}, "str": "s"})])
    add("voice-sids-short", identity="alice", grants=[voice(
        incoming_allow=True, outgoing_application_sid="AP1", push_credential_sid="CR1")])
    # --- secrets ---
    add("secret-1-byte", secret="x", identity="alice", grants=[V1_GRANT])
    add("secret-32-bytes", secret="0123456789abcdef0123456789ABCDEF", identity="alice", grants=[V1_GRANT])
    add("secret-64-bytes", secret="k" * 32 + "K" * 32, identity="alice", grants=[V1_GRANT])
    add("secret-65-bytes", secret="k" * 64 + "!", identity="alice", grants=[V1_GRANT])
    add("secret-100-bytes", secret=(string.ascii_letters + string.digits) * 1 + "x" * 38,
        identity="alice", grants=[V1_GRANT])
    add("secret-utf8", secret="sécret-中文-\U0001F511", identity="alice", grants=[V1_GRANT])
    add("secret-specials", secret='s"e\\c/r\ne\tt', identity="alice", grants=[V1_GRANT])
    # --- regions ---
    for r in ["ie1", "au1", "us1", "de1", "jp1"]:
        add("region-" + r, identity="alice", region=r, grants=[V1_GRANT])
    add("region-empty", identity="alice", region="", grants=[V1_GRANT])
    # --- ttl ---
    for t in [1, 600, 3600, 86400, 86401, 0]:
        add("ttl-{}".format(t), identity="alice", ttl=t, grants=[V1_GRANT])
    # --- valid_until ---
    add("valid-until-no-ttl", identity="alice", valid_until=NOW + 7200, grants=[V1_GRANT])
    add("valid-until-with-ttl", identity="alice", ttl=600, valid_until=NOW + 7200, grants=[V1_GRANT])
    add("valid-until-in-past", identity="alice", valid_until=NOW - 10, grants=[V1_GRANT])
    add("valid-until-zero-ignored", identity="alice", ttl=600, valid_until=0, grants=[V1_GRANT])
    # --- nbf ---
    add("nbf-explicit-past", identity="alice", nbf=NOW - 300, grants=[V1_GRANT])
    add("nbf-explicit-future", identity="alice", nbf=NOW + 60, grants=[V1_GRANT])
    add("nbf-none", identity="alice", nbf="none", grants=[V1_GRANT])
    add("nbf-zero", identity="alice", nbf=0, grants=[V1_GRANT])
    add("nbf-and-valid-until", identity="alice", ttl=600, nbf=NOW - 300,
        valid_until=NOW + 7200, grants=[V1_GRANT])
    add("nbf-none-and-valid-until", identity="alice", nbf="none",
        valid_until=NOW + 7200, grants=[V1_GRANT])
    # --- now ---
    add("now-zero", identity="alice", now=0, grants=[V1_GRANT])
    add("now-2100", identity="alice", now=4102444800, grants=[V1_GRANT])
    add("now-1e9", identity="alice", now=1000000000, ttl=86400, grants=[V1_GRANT])
    # --- other grants alone ---
    IS, RL = "IS" + "e" * 32, "RL" + "f" * 32
    WS, WK = "WS" + "1" * 32, "WK" + "2" * 32
    video = dict(type="video", room="DailyStandup")
    chat = dict(type="chat", service_sid=IS, endpoint_id="alice:chat:web",
                deployment_role_sid=RL, push_credential_sid=CR)
    sync = dict(type="sync", service_sid=IS, endpoint_id="alice:sync")
    tr = dict(type="task_router", workspace_sid=WS, worker_sid=WK, role="worker")
    add("video-room", identity="alice", grants=[video])
    add("video-room-unicode", identity="alice", grants=[dict(type="video", room='Réunion "中" </a>\n')])
    add("video-empty", identity="alice", grants=[dict(type="video")])
    add("chat-full", identity="alice", grants=[chat])
    add("chat-service-only", identity="alice", grants=[dict(type="chat", service_sid=IS)])
    add("chat-empty", identity="alice", grants=[dict(type="chat")])
    add("sync-full", identity="alice", grants=[sync])
    add("sync-endpoint-only", identity="alice", grants=[dict(type="sync", endpoint_id="e")])
    add("sync-empty", identity="alice", grants=[dict(type="sync")])
    add("task-router-full", identity="alice", grants=[tr])
    add("task-router-role-only", identity="alice", grants=[dict(type="task_router", role="supervisor")])
    add("task-router-empty", identity="alice", grants=[dict(type="task_router")])
    full_voice = voice(incoming_allow=True, outgoing_application_sid=AP,
                       outgoing_application_params={"to": "+15551234567", "mode": "pstn"},
                       push_credential_sid=CR, endpoint_id="alice-ios")
    add("all-five-order-a", identity="alice", region="ie1",
        grants=[full_voice, video, chat, sync, tr])
    add("all-five-order-b", identity="alice", region="ie1",
        grants=[tr, sync, chat, video, full_voice])
    add("all-five-no-identity", grants=[video, tr, full_voice, sync, chat])
    add("all-five-empty", identity="alice", grants=[
        voice(), dict(type="video"), dict(type="chat"), dict(type="sync"), dict(type="task_router")])
    # A grant type added twice (e.g. two VoiceGrants) is accepted: the payload keeps the
    # first grant's position with the last grant's content. Deliberately not vectorised.
    return v


def random_combos(rng):
    hexd = "0123456789abcdef"
    ident_chars = string.ascii_letters + string.digits + "_"
    alnum = string.ascii_letters + string.digits

    def sid(prefix):
        return prefix + "".join(rng.choice(hexd) for _ in range(32))

    def word(chars, lo, hi):
        return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))

    def maybe(p):
        return rng.random() < p

    param_keys = ["to", "from", "callerId", "customer_id", "mode", "record", "lang", "Priority"]
    out = []
    for i in range(1, N_RANDOM + 1):
        now = rng.randint(10 ** 9, 2 * 10 ** 9)
        kw = dict(account_sid=sid("AC"), api_key=sid("SK"), secret=word(alnum, 32, 32), now=now)
        kw["identity"] = word(ident_chars, 1, 121) if maybe(0.9) else None
        kw["ttl"] = rng.randint(1, 86400) if maybe(0.75) else None
        kw["valid_until"] = now + rng.randint(1, 86400) if maybe(0.15) else None
        r = rng.random()
        kw["nbf"] = None if r < 0.7 else ("none" if r < 0.85 else now - rng.randint(0, 3600))
        kw["region"] = rng.choice([None, "ie1", "au1", "us1", "de1", "jp1"])
        grants = []
        if maybe(0.85):
            g = voice()
            if maybe(0.7):
                g["incoming_allow"] = rng.choice([True, True, False])
            if maybe(0.8):
                g["outgoing_application_sid"] = sid("AP")
            n = rng.randint(0, 4)
            if n:
                keys = param_keys[:]
                rng.shuffle(keys)
                g["outgoing_application_params"] = {k: word(alnum, 1, 16) for k in keys[:n]}
            if maybe(0.3):
                g["push_credential_sid"] = sid("CR")
            if maybe(0.3):
                g["endpoint_id"] = word(ident_chars, 1, 40)
            grants.append(g)
        if maybe(0.25):
            g = dict(type="video")
            if maybe(0.7):
                g["room"] = word(ident_chars, 1, 30)
            grants.append(g)
        if maybe(0.25):
            g = dict(type="chat")
            for f, v in [("service_sid", "IS"), ("endpoint_id", None),
                         ("deployment_role_sid", "RL"), ("push_credential_sid", "CR")]:
                if maybe(0.5):
                    g[f] = sid(v) if v else word(ident_chars, 1, 40)
            grants.append(g)
        if maybe(0.25):
            g = dict(type="sync")
            if maybe(0.6):
                g["service_sid"] = sid("IS")
            if maybe(0.5):
                g["endpoint_id"] = word(ident_chars, 1, 40)
            grants.append(g)
        if maybe(0.25):
            g = dict(type="task_router")
            if maybe(0.7):
                g["workspace_sid"] = sid("WS")
            if maybe(0.6):
                g["worker_sid"] = sid("WK")
            if maybe(0.5):
                g["role"] = rng.choice(["worker", "supervisor", "admin"])
            grants.append(g)
        rng.shuffle(grants)
        out.append(mint("combo-{:03d}".format(i), grants=grants, **kw))
    return out


def main():
    if GENERATOR != EXPECTED_GENERATOR:
        print("warning: generating with {} (fixture was made with {})".format(
            GENERATOR, EXPECTED_GENERATOR), file=sys.stderr)
    vectors = documented()
    if vectors[0]["token"] != V1_TOKEN:
        sys.exit("error: voice-basic token differs from the documented V1 token:\n"
                 + vectors[0]["token"] + "\nrefusing to write " + str(OUT))
    vectors += edge_cases()
    vectors += random_combos(random.Random(SEED))
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for v in vectors:
            f.write(json.dumps(v, ensure_ascii=False, sort_keys=False) + "\n")
    print("wrote {} vectors to {}".format(len(vectors), OUT))


if __name__ == "__main__":
    main()
