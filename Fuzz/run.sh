#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (AddressSanitizer on) and runs each for a bounded time.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]   fuzz each target for SECONDS (default 60)
#   Fuzz/run.sh --replay [TARGET...]    run each target once over its seeds and Fuzz/crashes/<target>/
#   Fuzz/run.sh --build                 build only
#
# Seeds come from Fuzz/Corpus/<target>/ (committed, never written to), tokens for the mutator
# from Fuzz/Dictionaries/<target>.dict. What a run discovers goes to Fuzz/.build/corpus/<target>/
# and is reused by the next run on the same checkout. A crash leaves its input in
# Fuzz/.build/crashes/ and fails the run: copy it to Fuzz/crashes/<target>/ so that --replay
# (which CI runs) keeps checking it, and turn it into a test.
# Prints one line per target from libFuzzer's final stats: `fuzz: TARGET: N runs … at R/s, cov …`.
set -euo pipefail
cd "$(dirname "$0")"

all_targets=(FuzzCapture FuzzWAV FuzzJWT FuzzTwiML FuzzJSON FuzzRelay FuzzYAML)
mode=fuzz
seconds=60
case "${1:-}" in
  --replay) mode=replay; shift ;;
  --build) mode=build; shift ;;
  '' | *[!0-9]*) ;;
  *) seconds=$1; shift ;;
esac
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [ -d "Sources/$target" ] || { echo "fuzz: no target $target (have: ${all_targets[*]})" >&2; exit 64; }
done

# -sanitize=fuzzer instruments every Swift module built here (TwvoiceCore too) and links libFuzzer;
# main.swift hands control to libFuzzer's driver (see Sources/FuzzDriver). gold warns about
# ASan's local symbols on every link: noise, filtered.
build_flags=(-c debug -Xswiftc -sanitize=fuzzer,address)
echo "fuzz: building the fuzz targets (swift build ${build_flags[*]})"
build_log=.build/fuzz-build.log
mkdir -p .build
if ! swift build "${build_flags[@]}" >"$build_log" 2>&1; then
  grep -v "Cannot export local symbol" "$build_log" | tail -40 >&2
  echo "fuzz: build failed (log: Fuzz/$build_log)" >&2
  exit 1
fi
bin="$(swift build "${build_flags[@]}" --show-bin-path)"
[ "$mode" = build ] && exit 0

# Leak checking stays on; a slow input (over 10 s) counts as a hang. Swift's own crash backtracer
# is off: libFuzzer prints the stack and saves the input, and the two fight over a crash.
export SWIFT_BACKTRACE=enable=no
common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
failed=()
mkdir -p .build/crashes
for target in "${targets[@]}"; do
  log=".build/fuzz-$target.log"
  if [ "$mode" = replay ]; then
    # Each reproducer on its own, so that every one still failing is named.
    for input in "crashes/$target"/*; do
      [ -f "$input" ] || continue
      if ! "$bin/$target" "${common[@]}" -runs=0 "$input" >"$log.1" 2>&1; then
        echo "fuzz: $target: reproducer Fuzz/$input still fails:" >&2
        grep -E -m1 "Fatal error|^SUMMARY" "$log.1" | cut -c1-300 >&2 || true
        failed+=("$target")
      fi
    done
    set +e
    "$bin/$target" "${common[@]}" -runs=0 -artifact_prefix=".build/crashes/$target-" "Corpus/$target" >"$log" 2>&1
    status=$?
    set -e
  else
    work=".build/corpus/$target"
    mkdir -p "$work"
    set +e
    "$bin/$target" "${common[@]}" -max_total_time="$seconds" -artifact_prefix=".build/crashes/$target-" \
      -dict="Dictionaries/$target.dict" "$work" "Corpus/$target" >"$log" 2>&1
    status=$?
    set -e
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
  corpus="$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 || true)"
  if [ "$status" -eq 0 ]; then
    if [ "$mode" = replay ]; then
      echo "fuzz: $target: ${runs:-?} inputs replayed, ${cov:-cov: ?}"
    else
      echo "fuzz: $target: ${runs:-?} runs in $seconds s (${rate:-?}/s), ${cov:-cov: ?}, ${corpus:-corp: ?}"
    fi
  else
    echo "fuzz: $target: FAILED (exit $status) after ${runs:-?} runs; log Fuzz/$log" >&2
    # What went wrong (a Swift trap's message, or the sanitizer's report), the input, and the
    # stack without libFuzzer's and the sanitizer's own frames.
    grep -E -A2 "Fatal error" "$log" | head -6 >&2 || true
    grep -E -A3 "^==[0-9]+==ERROR" "$log" | head -8 >&2 || true
    grep -E "^SUMMARY|Test unit written to|^Running: " "$log" | head -4 >&2 || true
    grep -E "^ *#[0-9]+ " "$log" | grep -v -E "compiler-rt|libc\.so|libc_start|libc-start| _start " \
      | head -16 >&2 || true
    failed+=("$target")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: failures in $(printf '%s\n' "${failed[@]}" | sort -u | tr '\n' ' ')(new inputs in Fuzz/.build/crashes/)" >&2
  exit 1
fi
