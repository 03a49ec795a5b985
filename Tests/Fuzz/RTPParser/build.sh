#!/bin/bash
# Builds the RTP/RTCP libFuzzer binary: the TimbreRTP sources plus FuzzEntry.swift in one module.
# Usage: Tests/Fuzz/RTPParser/build.sh [OUT]   (default .build/fuzz/rtp-parser-fuzzer)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/.build/fuzz/rtp-parser-fuzzer}
mkdir -p "$(dirname "$out")"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
    -module-name RTPParserFuzz "$root"/Sources/TimbreRTP/*.swift "$here/FuzzEntry.swift" -o "$out" 2>&1 \
    | { grep -v "Cannot export local symbol" >&2 || true; }
echo "$out"
