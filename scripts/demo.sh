#!/usr/bin/env bash
# The README's first command: build twvoice, mint a Voice Access Token with the FAKE example
# credentials in examples/example.env, and decode and verify it; then play Twilio's side of a
# Media Stream into a local echo bot and describe what it captured. No Twilio account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product twvoice >&2
twvoice=.build/release/twvoice
"$twvoice" token mint --env-file examples/example.env --identity alice --incoming --param team=blue \
  | "$twvoice" token decode --env-file examples/example.env -

# A whole stream on one machine: a capture server that answers as an echo bot, and Twilio's side
# of a <Connect><Stream> speaking a bundled WAV into it (5x real time).
work="$(mktemp -d)"
capture=""
trap '[ -z "$capture" ] || kill "$capture" 2>/dev/null || true; rm -rf "$work"' EXIT
"$twvoice" stream capture --listen 127.0.0.1:0 --echo -q -o "$work/captures" 2> "$work/capture.log" &
capture=$!
port=""
for _ in $(seq 200); do
  port="$(sed -n 's|.*ws://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/capture.log" | head -n1)"
  [ -n "$port" ] && break
  sleep 0.05
done
"$twvoice" stream replay examples/scenarios/audio/hello.wav --url "ws://127.0.0.1:$port/" --speed 5 --tail 1s
kill -TERM "$capture"
wait "$capture"
capture=""
"$twvoice" codec info "$work"/captures/*.jsonl | head -n 4
