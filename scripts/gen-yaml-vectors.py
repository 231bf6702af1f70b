#!/usr/bin/env python3
"""YAML reading vectors from PyYAML's composer (libyaml's grammar), for Core's YAMLReader.

    pip install PyYAML && python3 scripts/gen-yaml-vectors.py

Writes Tests/TwvoiceCoreTests/Fixtures/yaml-vectors.jsonl: one line per document below, with the
node tree PyYAML composes (every scalar as its text, tags ignored, aliases expanded, each node's
1-based line) or that it refuses the document. The documents are the YAML a scenario file uses and
the corners of the grammar around it; duplicate keys, complex keys and non-text keys (which
PyYAML composes and twvoice refuses on purpose) are tested in YAMLReaderTests instead.
"""
import json
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    # Scenario files as the man page and examples write them.
    "name: booking, with barge-in\nparams: {lang: en}\nsteps:\n  - say: audio/hello.wav\n"
    "  - expect_bot_speech: {within: 1.5s}\n  - wait_bot_silence: {for: 700ms, timeout: 20s}\n"
    "  - barge_in: {after: 500ms, say: audio/wait.wav}\n  - expect_clear: {within: 300ms}\n"
    "  - expect_mark: {name: goodbye, within: 10s}\n  - expect_hangup: {within: 5s}\n",
    "# a comment first\nname: keypad\nsteps:\n- dtmf: \"1234#\"\n- silence: 1s  # trailing comment\n- hangup:\n",
    "steps:\n  - expect_reply:\n      contains: hello\n      within: 3s\n  - expect_end:\n      handoff_data: {reason: agent}\n",
    "steps:\n    -   say: a.wav\n    -   expect_clear:\n            within: 300ms\n",
    "params:\n  lang: en\n  customer: \"42\"\nsteps: [ {say: a.wav}, {silence: 2s} ]\n",
    # Plain scalars.
    "a: ws://127.0.0.1:8080/ws?x=1&y=2\nb: text with # not a comment\nc: trailing spaces   \n",
    "a: 1\nb: -2\nc: 3.5\nd: true\ne: null\nf: ~\ng:\nh: 'x'\n",
    "a: one\n  two\n  three\nb: x\n",
    "a: one\n\n  two\n\n\n  three\n",
    "- a\n  b\n- c\n",
    "key: value:with:colons\nurl: http://x/y\n",
    "a: -x\nb: ?y\nc: :z\nd: a-b\n",
    "plain top level scalar\n",
    "top\nlevel\n\nfolded\n",
    "a: x#y\nb: 'x #y'\n",
    "\"quoted key\": 1\n'single key': 2\nplain key  : 3\n",
    # Quoted scalars.
    "a: \"tab\\there\\nnewline \\\"q\\\" \\\\ \\/ \\x41 \\u00e9 \\U0001F600 \\0 \\e \\N \\_ \\L \\P\"\n",
    "a: 'it''s'\nb: ''\nc: \"\"\n",
    "a: \"folded\n  over\n\n  lines\"\n",
    "a: 'single\n  folded\n\n\n  lines'\n",
    "a: \"joined\\\n  here\"\n",
    "a: \"trailing   \n  spaces\"\n",
    "a: \"unterminated\n",
    "a: \"bad \\q escape\"\n",
    # Block scalars.
    "a: |\n  line one\n  line two\nb: x\n",
    "a: |-\n  stripped\n\n\nb: x\n",
    "a: |+\n  kept\n\n\nb: x\n",
    "a: >\n  folded\n  text\n\n  new paragraph\n    more indented\n  back\nb: x\n",
    "a: >-\n  folded\n  stripped\n",
    "a: |2\n    two extra\n  base\n",
    "a: |\n\n  after empty\n",
    "a: |\nb: empty block\n",
    "- |\n  in a sequence\n- >\n  folded\n  item\n",
    "a: | # comment\n  text\n",
    "a: |\n  text\n   indented\n\tno\n",
    "a: >+\n  kept\n\n",
    "--- |\n  top level literal\n",
    # Block collections.
    "a:\n  b:\n    c: d\n  e: f\ng: h\n",
    "a:\n- 1\n- 2\nb:\n  - 3\n",
    "- - a\n  - b\n- - c\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "-\n  a: 1\n-\n- x\n",
    "- a\n-\n- c\n",
    "a:\n  - b: 1\n    c:\n      - d\n      - e: f\n",
    "a:\n  -   x\n  -   y: 1\n      z: 2\n",
    "empty_seq: []\nempty_map: {}\n",
    "a: 1\n  b: 2\n",
    "a: 1\n b: 2\n",
    "- a\nb: 1\n",
    "a:\n  - x\n  y: 1\n",
    "a: b: c\n",
    "a: - b\n",
    "a:\n\t- b\n",
    "@x: 1\n",
    "a: @x\n",
    "a: `x`\n",
    "- x\n - y\n",
    # Flow collections.
    "a: [1, 2, [3, 4], {b: 5}]\n",
    "a: [\n  one,\n  two, # comment\n  three\n]\n",
    "a: {b: 1,\n    c: 2}\n",
    "a: [b: 1, c]\n",
    "a: {b, c: }\n",
    "a: {\"json\":1, \"k\": [true,false]}\n",
    "a: [http://x.y/z, 'q,r', \"s]t\"]\n",
    "a: [a b, c  d ]\n",
    "a: [one\n  two, three]\n",
    "a: [1, 2,]\n",
    "a: [1,, 2]\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: [1] x\n",
    "[a, {b: 1}\n",
    "steps: [a, {b: 1}\n",
    "{a: 1}\n",
    "[]\n",
    # Anchors, aliases, tags.
    "base: &b {within: 2s}\nsteps:\n  - expect_clear: *b\n  - expect_mark: *b\n",
    "a: &x hello\nb: *x\nc: [*x, *x]\n",
    "a: &l\n  - 1\n  - 2\nb: *l\n",
    "a: !!str 123\nb: !custom x\nc: !<tag:yaml.org,2002:str> y\nd: ! z\n",
    "a: &anchor\n  b: 1\nc: *anchor\n",
    "a: *missing\n",
    # Documents.
    "---\na: 1\n",
    "--- # comment\na: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "---\na: 1\n---\nb: 2\n",
    "",
    "# only a comment\n",
    "---\n",
    "a: 1\n...\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a:   1   \n\n\n",
    "  a: 1\n  b: 2\n",
    "a: 1\n\n# comment\n\nb: 2\n",
    "a:\n  # comment between\n  b: 1\n",
    "a: 'é ü 中文 😀'\nb: é ü 中文 😀\n",
]


def tree(node):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return {"s": node.value, "line": line}
    if isinstance(node, yaml.SequenceNode):
        return {"q": [tree(item) for item in node.value], "line": line}
    return {"m": [[key.value, key.start_mark.line + 1, tree(value)] for key, value in node.value], "line": line}


loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
with open(os.path.join(ROOT, "Tests/TwvoiceCoreTests/Fixtures/yaml-vectors.jsonl"), "w", encoding="utf-8") as f:
    for text in CASES:
        try:
            node = yaml.compose(text, Loader=loader)
            result = {"yaml": text, "tree": None if node is None else tree(node)}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            result = {"yaml": text, "error": True, "line": mark.line + 1 if mark else None}
        f.write(json.dumps(result) + "\n")
