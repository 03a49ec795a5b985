#!/usr/bin/env bash
# Real-time contract check: the producer (main) thread of `timbre recording capture` appends
# one frame per 20 ms of audio to the Recorder. An LD_PRELOAD shim counts malloc calls made on
# the main thread; recording 1 s and 11 s of audio must give the same count (no allocation per
# frame, including pause/resume handling and split-channel interleaving in the slot).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TIMBRE=${1:-$ROOT/.build-release/release/timbre}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cc -shared -fPIC -O2 -o "$W/count.so" "$ROOT/Benchmarks/peers/recording/count-main-thread-mallocs.c" -ldl
for s in 1 11; do
  printf "%2s s: " "$s"
  LD_PRELOAD="$W/count.so" "$TIMBRE" recording capture --seconds "$s" --parties 2 --pause-at 0.5 --resume-at 0.7 "$W/o.wav" 2>&1 >/dev/null | grep mallocs
done
