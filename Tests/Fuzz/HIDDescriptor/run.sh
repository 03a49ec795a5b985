#!/usr/bin/env bash
# Bounded libFuzzer run of the HID report-descriptor parser (+ telephony mapping and state machine).
#   Tests/Fuzz/HIDDescriptor/run.sh [seconds=60] [extra libFuzzer flags...]
# Builds with swiftc -sanitize=fuzzer,address into .build-fuzz/hid-descriptor, seeds the corpus with
# the real descriptors from Tests/TimbreHIDTests/Descriptors, and exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SECONDS_TO_RUN=${1:-60}
shift || true
OUT=.build-fuzz/hid-descriptor
mkdir -p "$OUT/corpus" "$OUT/artifacts"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name TimbreHID \
    Sources/TimbreHID/*.swift Tests/Fuzz/HIDDescriptor/FuzzHIDDescriptor.swift -o "$OUT/fuzz-hid-descriptor"
cp -n Tests/TimbreHIDTests/Descriptors/*.bin "$OUT/corpus/" 2>/dev/null || true
exec "$OUT/fuzz-hid-descriptor" "$OUT/corpus" -max_len=4096 -max_total_time="$SECONDS_TO_RUN" \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 "$@"
