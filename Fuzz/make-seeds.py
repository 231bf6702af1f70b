#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/Corpus/<Target>/: a few dozen small inputs per target, taken
from the test fixtures (Tests/*/Fixtures) and crafted for the edges the parsers must handle.
The output is committed; rerun only to change the seeds (it replaces the folders of the targets
it writes, and leaves the others, such as FuzzRelay's hand-picked seeds, alone)."""
import base64
import json
import pathlib
import shutil
import struct

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "Corpus"


def fixture(path):
    return [json.loads(line) for line in (ROOT / path).read_text().splitlines() if line.strip()]


def write(target, seeds):
    folder = CORPUS / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in seeds:
        if isinstance(data, str):
            data = data.encode()
        assert len(data) <= 4096, (target, name, len(data))
        (folder / name).write_bytes(data)


# --- captures (Media Streams JSON lines, JSON arrays, base64 lines) ---

SID = "MZ0123456789abcdef0123456789abcdef"
CALL = "CA0123456789abcdef0123456789abcdef"


def payload(n, start=0):
    return base64.b64encode(bytes((start + i * 37) & 0xFF for i in range(n))).decode()


def media(seq, track, chunk, ts, n=8):
    return (f'{{"event":"media","sequenceNumber":"{seq}","media":{{"track":"{track}","chunk":"{chunk}",'
            f'"timestamp":"{ts}","payload":"{payload(n, seq)}"}},"streamSid":"{SID}"}}')


connected = '{"event":"connected","protocol":"Call","version":"1.0.0"}'
start = (f'{{"event":"start","sequenceNumber":"1","start":{{"accountSid":"AC0123456789abcdef0123456789abcdef",'
         f'"streamSid":"{SID}","callSid":"{CALL}","tracks":["inbound","outbound"],'
         f'"customParameters":{{"caller":"+15551230000"}},"mediaFormat":{{"encoding":"audio/x-mulaw",'
         f'"sampleRate":8000,"channels":1}}}},"streamSid":"{SID}"}}')
stop = f'{{"event":"stop","sequenceNumber":"9","stop":{{"accountSid":"AC0","callSid":"{CALL}"}},"streamSid":"{SID}"}}'
mark = f'{{"event":"mark","sequenceNumber":"7","streamSid":"{SID}","mark":{{"name":"greeting"}}}}'
dtmf = f'{{"event":"dtmf","streamSid":"{SID}","sequenceNumber":"8","dtmf":{{"track":"inbound_track","digit":"5"}}}}'


def lines(*items, end="\n"):
    return end.join(items) + end


capture = [
    ("twilio-call.jsonl", lines(connected, start, media(2, "inbound", 1, 0), media(3, "inbound", 2, 20),
                                mark, dtmf, stop)),
    ("both-tracks.jsonl", lines(start, media(2, "inbound", 1, 0), media(3, "outbound", 1, 0),
                                media(4, "inbound", 2, 20), media(5, "outbound", 2, 40))),
    ("outbound-only.jsonl", lines(media(2, "outbound", 1, 0), media(3, "outbound", 2, 20))),
    ("gap.jsonl", lines(media(2, "inbound", 1, 0), media(3, "inbound", 2, 100))),
    ("jitter.jsonl", lines(media(2, "inbound", 1, 0), media(3, "inbound", 2, 27), media(4, "inbound", 3, 39))),
    ("backwards.jsonl", lines(media(3, "inbound", 2, 40), media(2, "inbound", 1, 0))),
    ("sequence-skip.jsonl", lines(media(2, "inbound", 1, 0), media(7, "inbound", 5, 20))),
    ("reordered-keys.jsonl", lines(
        f'{{"streamSid": "{SID}", "media": {{"payload": "{payload(8)}", "timestamp": "0", "track": "inbound"}}, "event": "media"}}')),
    ("escaped-payload.jsonl", lines(
        '{"event":"media","media":{"track":"inbound","timestamp":"20","payload":"AAAA\\/w=="}}')),
    ("no-timestamp.jsonl", lines(f'{{"event":"media","media":{{"payload":"{payload(4)}"}}}}')),
    ("crlf-blank-lines.jsonl", "\r\n  \r\n" + lines(media(2, "inbound", 1, 0), "", media(3, "inbound", 2, 20), end="\r\n")),
    ("no-final-newline.jsonl", media(2, "inbound", 1, 0) + "\n" + media(3, "inbound", 2, 20)),
    ("unknown-event.jsonl", lines('{"event":"clear","streamSid":"MZ1"}', '{"no":"event"}', '{"event":42}')),
    ("l16-format.jsonl", lines(
        '{"event":"start","start":{"mediaFormat":{"encoding":"audio/l16","sampleRate":8000,"channels":1}}}',
        media(2, "inbound", 1, 0))),
    ("array.json", "[" + ",".join([connected, start, media(2, "inbound", 1, 0), media(3, "outbound", 1, 20), stop]) + "]"),
    ("array-pretty.json", "[\n  " + ",\n  ".join([media(2, "inbound", 1, 0), mark]) + "\n]\n"),
    ("array-empty.json", "[]"),
    ("array-not-objects.json", "[1, \"media\", null]"),
    ("base64-lines.txt", lines(payload(8), payload(16, 3), payload(1))),
    ("base64-unpadded.txt", lines("AAECAwQ", "/w")),
    ("whitespace-only.txt", " \n\t\n"),
    ("bad-base64.jsonl", lines('{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"@@@@"}}')),
    ("truncated-line.jsonl", lines('{"event":"media","media":{"payload":"AAA"}')),
    ("sideways-track.jsonl", lines('{"event":"media","media":{"track":"sideways","payload":"AAAA"}}')),
    ("negative-timestamp.jsonl", lines('{"event":"media","media":{"payload":"AAAA","timestamp":"-5"}}')),
    ("huge-timestamp.jsonl", lines('{"event":"media","media":{"payload":"AAAA","timestamp":"999999999999"}}')),
    ("numeric-fields.jsonl", lines('{"event":"media","sequenceNumber":2,"media":{"track":"inbound","chunk":1,"timestamp":20,"payload":"AAAA"}}')),
    ("not-json.jsonl", "{this is not json}\n"),
]
write("FuzzCapture", capture)

# --- WAV files ---


def chunk(cid, body):
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")


def fmt(tag, channels, rate, bits, extra=b""):
    align = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits) + extra


def riff(*chunks, size=None, magic=b"RIFF"):
    body = b"WAVE" + b"".join(chunks)
    return magic + struct.pack("<I", len(body) if size is None else size) + body


def extensible(sub_tag, channels, rate, bits):
    guid_tail = bytes.fromhex("000000001000800000aa00389b71")
    return fmt(0xFFFE, channels, rate, bits, struct.pack("<HHI", 22, bits, 3) + struct.pack("<H", sub_tag) + guid_tail)


pcm = bytes(range(0, 64))
wav = [
    ("pcm16-mono-8k.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), chunk(b"data", pcm))),
    ("pcm16-stereo-44k.wav", riff(chunk(b"fmt ", fmt(1, 2, 44100, 16)), chunk(b"data", pcm))),
    ("pcm8.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 8)), chunk(b"data", pcm[:15]))),
    ("pcm24.wav", riff(chunk(b"fmt ", fmt(1, 1, 16000, 24)), chunk(b"data", pcm[:48]))),
    ("pcm32.wav", riff(chunk(b"fmt ", fmt(1, 1, 16000, 32)), chunk(b"data", pcm))),
    ("float32.wav", riff(chunk(b"fmt ", fmt(3, 1, 48000, 32)),
                         chunk(b"data", struct.pack("<4f", 0.5, -1.0, 2.0, float("nan"))))),
    ("float64.wav", riff(chunk(b"fmt ", fmt(3, 2, 48000, 64)), chunk(b"data", struct.pack("<2d", 1e300, -0.25)))),
    ("mulaw-fact.wav", riff(chunk(b"fmt ", fmt(7, 1, 8000, 8, b"\0\0")), chunk(b"fact", struct.pack("<I", 16)),
                            chunk(b"data", bytes([0xFF, 0x7F, 0x00, 0x80] * 4)))),
    ("alaw.wav", riff(chunk(b"fmt ", fmt(6, 1, 8000, 8, b"\0\0")), chunk(b"data", bytes([0xD5, 0x55] * 8)))),
    ("extensible-pcm16.wav", riff(chunk(b"fmt ", extensible(1, 2, 8000, 16)), chunk(b"data", pcm))),
    ("extensible-float.wav", riff(chunk(b"fmt ", extensible(3, 1, 8000, 32)), chunk(b"data", pcm[:16]))),
    ("list-junk-odd-pad.wav", riff(chunk(b"LIST", b"INFOISFT\x05\0\0\0lavf\0"), chunk(b"JUNK", b"abc"),
                                   chunk(b"fmt ", fmt(1, 1, 8000, 16)), chunk(b"data", pcm[:9]))),
    ("data-size-zero-streamed.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), b"data\0\0\0\0" + pcm, size=0)),
    ("data-size-ffffffff.wav", riff(chunk(b"fmt ", fmt(7, 1, 8000, 8)), b"data\xff\xff\xff\xff" + pcm,
                                    size=0xFFFFFFFF)),
    ("data-longer-than-file.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), b"data\x00\x10\0\0" + pcm[:10])),
    ("data-before-fmt.wav", riff(chunk(b"data", pcm[:4]), chunk(b"fmt ", fmt(1, 1, 8000, 16)))),
    ("no-data.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)))),
    ("fmt-too-short.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)[:12]), chunk(b"data", pcm[:4]))),
    ("fmt-huge-size.wav", riff(b"fmt \xff\xff\xff\x7f" + fmt(1, 1, 8000, 16))),
    ("skip-past-end.wav", riff(b"LIST\xf0\xff\xff\xff" + b"xy")),
    ("zero-channels.wav", riff(chunk(b"fmt ", fmt(1, 0, 8000, 16)), chunk(b"data", pcm[:4]))),
    ("bad-block-align.wav", riff(chunk(b"fmt ", struct.pack("<HHIIHH", 1, 2, 8000, 32000, 3, 16)), chunk(b"data", pcm))),
    ("mp3-tag.wav", riff(chunk(b"fmt ", fmt(0x55, 1, 8000, 0)), chunk(b"data", pcm[:8]))),
    ("odd-bits.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 12)), chunk(b"data", pcm[:8]))),
    ("rifx.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), chunk(b"data", pcm[:4]), magic=b"RIFX")),
    ("rf64.wav", riff(chunk(b"ds64", bytes(28)), chunk(b"fmt ", fmt(1, 1, 8000, 16)), magic=b"RF64")),
    ("truncated-riff.wav", b"RIFF\x04\0\0\0"),
    ("truncated-chunk-header.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), b"dat")),
    ("binary-chunk-id.wav", riff(chunk(b"fmt ", fmt(1, 1, 8000, 16)), b"\0\x01\x02\x03\0\0\0\0")),
    ("not-wave-form.wav", b"RIFF\x04\0\0\0AVI "),
    ("ogg-container", b"OggS\0\x02" + bytes(20)),
    ("text.txt", b"hello world, not audio"),
]
write("FuzzWAV", wav)

# --- JWTs (token decode) ---


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


tokens = fixture("Tests/TwvoiceCoreTests/Fixtures/access-token-vectors.jsonl")
wanted = ["voice-basic", "voice-full-ie1", "no-grants-no-identity", "identity-emoji", "identity-ctrl-01",
          "voice-params-specials", "region-ie1", "ttl-0", "valid-until-in-past", "secret-utf8"]
by_name = {t["name"]: t for t in tokens}
jwt = [(f"{name}.jwt", by_name[name]["token"]) for name in wanted if name in by_name]
jwt += [(f"vector-{t['name']}.jwt", t["token"]) for t in tokens if t["name"].startswith(("nbf", "grant-"))][:4]
header = b64url('{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}')
good_payload = b64url('{"jti":"SK1-1","iss":"SK1","sub":"AC1","exp":1700003600,"grants":{"identity":"a"}}')
jwt += [
    ("empty.jwt", ""),
    ("whitespace.jwt", " \n\t"),
    ("two-parts.jwt", f"{header}.{good_payload}"),
    ("four-parts.jwt", f"{header}.{good_payload}.sig.extra"),
    ("empty-parts.jwt", ".."),
    ("padded-base64.jwt", base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode() + "." + good_payload + ".AA=="),
    ("standard-alphabet.jwt", f"{header}.{good_payload}.+/+/"),
    ("bad-base64.jwt", f"{header}.{good_payload}.%%%"),
    ("header-not-object.jwt", f"{b64url('[1,2]')}.{good_payload}.AAAA"),
    ("payload-not-json.jwt", f"{header}.{b64url('not json')}.AAAA"),
    ("alg-none.jwt", b64url('{"alg":"none"}') + f".{good_payload}."),
    ("huge-numbers.jwt", f"{header}." + b64url('{"exp":1e400,"nbf":-99999999999999999999,"iat":1.5}') + ".AAAA"),
    ("wrong-types.jwt", f"{header}." + b64url('{"exp":"soon","grants":[],"iss":null,"sub":7}') + ".AAAA"),
    ("deep-grants.jwt", f"{header}." + b64url('{"grants":{"voice":{"outgoing":{"params":{"a":{"b":[[[]]]}}}}}}') + ".AAAA"),
    ("surrounding-whitespace.jwt", f"  {header}.{good_payload}.AAAA\r\n"),
]
write("FuzzJWT", jwt)

# --- TwiML ---

twiml_vectors = fixture("Tests/TwvoiceCoreTests/Fixtures/twiml-vectors.jsonl")
picked = [v for v in twiml_vectors if v.get("xml") and v["name"][:3] in
          ("P02", "P04", "P11", "P28", "P42", "P49", "G01", "G03", "G06", "G08", "G11", "G15", "G18",
           "G19", "G20", "G21", "G25", "G26")]
twiml = [(v["name"].split()[0] + ".xml", v["xml"]) for v in picked]
twiml += [
    ("empty.xml", ""),
    ("no-declaration.xml", "<Response><Say>hi</Say></Response>"),
    ("comment-cdata-pi.xml", '<?xml version="1.0"?>\n<!-- c --><Response><?pi x?><Say><![CDATA[a < b & c]]></Say></Response>'),
    ("doctype.xml", '<!DOCTYPE Response [<!ENTITY x "y">]><Response>&x;</Response>'),
    ("entities.xml", "<Response><Say>&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;&#0;&#xD800;&bogus;</Say></Response>"),
    ("single-quotes.xml", "<Response><Play loop='2' digits=\"1w2\">u</Play></Response>"),
    ("unclosed.xml", "<Response><Say>hello"),
    ("mismatched.xml", "<Response><Say></Play></Response>"),
    ("two-roots.xml", "<Response/><Response/>"),
    ("duplicate-attr.xml", '<Response><Dial timeout="5" timeout="6">+1555</Dial></Response>'),
    ("unknown-verbs.xml", "<Response><Dance/><say>x</say><Dial><Bogus/></Dial></Response>"),
    ("bad-attrs.xml", '<Response><Pause length="-1"/><Say loop="abc" voice="nobody"/><Gather input="smell"/></Response>'),
    ("deep.xml", "<Response>" + "<a>" * 260 + "</a>" * 260 + "</Response>"),
    ("bom-crlf.xml", "\ufeff<?xml version=\"1.0\"?>\r\n<Response>\r\n  <Hangup/>\r\n</Response>\r\n"),
    ("not-utf8.xml", b"<Response><Say>\xff\xfe\xc3</Say></Response>"),
    ("namespace.xml", '<t:Response xmlns:t="urn:x"><t:Say>x</t:Say></t:Response>'),
    ("attr-lt.xml", '<Response><Say voice="a<b">x</Say></Response>'),
    ("nul.xml", b"<Response>\0</Response>"),
]
write("FuzzTwiML", twiml)

# --- JSON ---

json_seeds = [
    ("object.json", '{"a":1,"b":[true,false,null],"c":{"d":"e"}}'),
    ("numbers.json", "[0,-0,1.5,-1e10,1E+2,2e-3,123456789012345678901234567890,0.1e999,-1e-999]"),
    ("strings.json", '["","\\"\\\\\\/\\b\\f\\n\\r\\t","\\u0041\\u00e9\\u20ac","\\ud83d\\ude00","héllo €"]'),
    ("lone-surrogates.json", '["\\ud800","\\udc00x","\\ud83d\\u0041"]'),
    ("duplicate-keys.json", '{"a":1,"a":2}'),
    ("whitespace.json", ' \t\r\n{ "a" : [ 1 , 2 ] } \n'),
    ("scalar.json", "42"),
    ("deep-ok.json", "[" * 500 + "]" * 500),
    ("deep-too-deep.json", "[" * 520 + "]" * 520),
    ("deep-objects.json", '{"a":' * 300 + "0" + "}" * 300),
    ("trailing-comma.json", "[1,2,]"),
    ("leading-zero.json", "[01]"),
    ("bad-escape.json", '["\\x41"]'),
    ("control-char.json", '["a\tb"]'),
    ("unterminated.json", '{"a":"b'),
    ("trailing-text.json", "{} x"),
    ("bom.json", "\ufeff{}"),
    ("invalid-utf8.json", b'["\xff\xc3\x28"]'),
    ("literals.json", "[true,false,null,tru,nul]"),
    ("minus-only.json", "[-]"),
    ("exponent-no-digits.json", "[1e]"),
    ("twilio-start.json", start),
    ("twilio-media.json", media(2, "inbound", 1, 0)),
]
for t in tokens[:3]:
    json_seeds.append((f"token-payload-{t['name']}.json", t["payload"]))
write("FuzzJSON", json_seeds)

# --- YAML (scenario files) ---

yaml_seeds = [(path.name, path.read_bytes()) for path in sorted((ROOT / "examples").rglob("*.yaml"))]
for index, vector in enumerate(fixture("Tests/TwvoiceCoreTests/Fixtures/yaml-vectors.jsonl")):
    if len(vector["yaml"]) > 20:
        yaml_seeds.append((f"vector-{index:02d}.yaml", vector["yaml"]))
yaml_seeds += [
    ("alias-bomb.yaml", "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n"),
    ("deep-flow.yaml", "[" * 40 + "]" * 40),
    ("deep-block.yaml", "".join(" " * i + "k:\n" for i in range(40))),
    ("tabs.yaml", "a:\n\t- b\n"),
    ("crlf.yaml", "steps:\r\n  - say: a.wav\r\n"),
]
write("FuzzYAML", yaml_seeds)
