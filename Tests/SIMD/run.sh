#!/bin/sh
# Builds the loops written with AVX2 intrinsics (compiled only with -DTIMBRE_AVX2, as `make
# release` and the peer scripts do) together with a checker, and compares them with their plain
# forms; also the portable build of the same source. About 30 s. Skips the AVX2 build on a CPU
# without AVX2. Usage: Tests/SIMD/run.sh   (from anywhere)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/timbre-simd.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
SOURCES="$ROOT/Sources/TimbreConference/MixKernel.swift $ROOT/Tests/SIMD/EnergyCheck.swift"
swiftc -O -parse-as-library -module-name SIMDCheck -o "$OUT/portable" $SOURCES
"$OUT/portable"
if grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    swiftc -O -parse-as-library -module-name SIMDCheck -target-cpu haswell -Xcc -march=x86-64-v3 \
        -DTIMBRE_AVX2 -o "$OUT/avx2" $SOURCES
    "$OUT/avx2"
else
    echo "no AVX2 on this CPU: the AVX2 form is not built"
fi
