#!/usr/bin/env bash
# Regenerate completions/ and man/ from the command tree (swift-argument-parser). The man page
# date is pinned so the files only change when the commands do; CI regenerates and diffs them.
set -euo pipefail
cd "$(dirname "$0")/.."
MAN_DATE="${MAN_DATE:-2026-11-30}"
swift build --product twvoice >&2
BIN="$(swift build --show-bin-path)/twvoice"
mkdir -p completions man
"$BIN" --generate-completion-script bash > completions/twvoice.bash
"$BIN" --generate-completion-script zsh > completions/_twvoice
"$BIN" --generate-completion-script fish > completions/twvoice.fish
swift package plugin --allow-writing-to-package-directory generate-manual --multi-page \
  --configuration debug --date "$MAN_DATE" --section 1 >&2 || \
  swift package generate-manual --multi-page --configuration debug --date "$MAN_DATE" --section 1 >&2
OUT="$(find .build/plugins/GenerateManual/outputs -type d -name twvoice | head -n1)"
rm -f man/*.1
for page in "$OUT"/*.1; do
  # A blank line in mdoc source is a warning (groff -ww); paragraph breaks are .Pp.
  sed 's/^$/.Pp/' "$page" > "man/$(basename "$page")"
done
