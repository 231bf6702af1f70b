#!/usr/bin/env bash
# The README's first command: build twvoice, mint a Voice Access Token with the FAKE example
# credentials in examples/example.env, and decode and verify it. No Twilio account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product twvoice >&2
twvoice=.build/release/twvoice
"$twvoice" token mint --env-file examples/example.env --identity alice --incoming --param team=blue \
  | "$twvoice" token decode --env-file examples/example.env -
