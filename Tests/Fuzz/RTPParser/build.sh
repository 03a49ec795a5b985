#!/bin/bash
# Builds the RTP/RTCP libFuzzer binary: the TimbreCore and TimbreRTP sources plus FuzzEntry.swift
# in one module (the import of TimbreCore removed).
# Usage: Tests/Fuzz/RTPParser/build.sh [OUT]   (default .build/fuzz/rtp-parser-fuzzer)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/.build/fuzz/rtp-parser-fuzzer}
mkdir -p "$(dirname "$out")"
src=$(dirname "$out")/rtp-fuzz-src
rm -rf "$src"; mkdir -p "$src"
for m in TimbreCore TimbreRTP; do
    for f in "$root"/Sources/$m/*.swift; do
        sed -E 's/^(public |package |internal )?import TimbreCore$//' "$f" > "$src/$m-$(basename "$f")"
    done
done
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
    -module-name RTPParserFuzz "$src"/*.swift "$here/FuzzEntry.swift" -o "$out" 2>&1 \
    | { grep -v "Cannot export local symbol" >&2 || true; }
echo "$out"
