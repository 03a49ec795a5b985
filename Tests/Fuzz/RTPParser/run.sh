#!/bin/sh
# Runs the RTP/RTCP parser fuzzer for a bounded time.
# Usage: Tests/Fuzz/RTPParser/run.sh [SECONDS]   (default 30, suitable for CI)
# FUZZ_TIMEOUT (default 60 s) is the per-input limit; generous because a starved, niced process
# on a shared machine once tripped a 10 s limit inside the ASan allocator on an input that runs
# in under a millisecond.
# Exit status is non-zero when libFuzzer finds a crash; the reproducer is written to
# .build/fuzz/artifacts/. The corpus grows in .build/fuzz/rtp-corpus (seeded from seeds/).
set -eu
seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# FUZZ_SKIP_BUILD=1 reuses the last binary (the build takes a minute on a busy machine).
bin=$root/.build/fuzz/rtp-parser-fuzzer
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$bin" ]; then bin=$("$here/build.sh"); fi
# Let libFuzzer report crashes itself; the Swift backtracer is slow and interactive.
export SWIFT_BACKTRACE=enable=no
corpus=$root/.build/fuzz/rtp-corpus
artifacts=$root/.build/fuzz/artifacts/
mkdir -p "$corpus" "$artifacts"
cp -n "$here"/seeds/* "$corpus"/ 2>/dev/null || true
exec "$bin" -max_total_time="$seconds" -max_len=1500 -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=1024 \
    -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus"
