#!/usr/bin/env bash
# Timbre's Opus wrapper against libopus called directly from C, on the same input in the same run.
#
# Both sides encode (and decode) SampleAudio/speech-en-male-48k.wav in 20 ms frames, mono 48 kHz,
# OPUS_APPLICATION_VOIP, the same bitrate and complexity, one thread:
#   Timbre: `timbre bench --kernel opus.encode|opus.decode` (OpusEncoder/OpusDecoder, release build)
#   Peer:   opus_peer.c (opus_encode/opus_decode in a plain C loop, -O2)
# 1. Throughput: ROUNDS alternating rounds of SECONDS (wall) each, samples per CPU second of the
#    measuring thread; best of each side kept.
# 2. Instructions (repeatable on a loaded machine): callgrind totals at 1 and 3 passes; the
#    difference / 2 is the cost of one pass over the input, setup cancelled out.
# Target (issue 3): Timbre within 3 % of libopus. Environment: BITRATE, COMPLEXITY, SECONDS,
# ROUNDS, SCRATCH (Swift scratch path), CPU_FLAGS (e.g. "-Xcc -march=x86-64-v3"), WALL=0 to skip
# the wall-clock part, INSTRUCTIONS=0 to skip the callgrind part. Valgrind 3.19 cannot read the
# DWARF 5 that Swift 6.3 emits, so callgrind runs a stripped copy of timbre.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-release}
BITRATE=${BITRATE:-32000}
COMPLEXITY=${COMPLEXITY:-9}
SECONDS_EACH=${SECONDS:-2}
ROUNDS=${ROUNDS:-5}
INSTRUCTIONS=${INSTRUCTIONS:-1}
WALL=${WALL:-1}
WAV="$ROOT/SampleAudio/speech-en-male-48k.wav"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "building timbre (release) and the C peer..." >&2
(cd "$ROOT" && swift build -c release --product timbre --scratch-path "$SCRATCH" ${CPU_FLAGS:-} >&2)
TIMBRE="$SCRATCH/release/timbre"
cc -O2 -o "$OUT/opus_peer" "$HERE/opus_peer.c" $(pkg-config --cflags --libs opus sndfile)
export TIMBRE_SAMPLE_AUDIO="$ROOT/SampleAudio"

field() { python3 -c "import json,sys; d=json.loads(sys.stdin.read()); r=d['results'][0] if 'results' in d else d; print(r['$1'])"; }
best() { python3 -c "import sys; print(max(float(x) for x in sys.argv[1:]))" "$@"; }

if [ "$WALL" = 1 ]; then
declare -A T P
for k in encode decode; do T[$k]=""; P[$k]=""; done
for round in $(seq 1 "$ROUNDS"); do
  for k in encode decode; do
    t=$("$TIMBRE" bench --json --kernel "opus.$k" --seconds "$SECONDS_EACH" --bitrate "$BITRATE" --complexity "$COMPLEXITY" | field samplesPerSecond)
    p=$("$OUT/opus_peer" "$WAV" "$k" "$BITRATE" "$COMPLEXITY" --seconds "$SECONDS_EACH" | field samplesPerSecond)
    T[$k]="${T[$k]} $t"; P[$k]="${P[$k]} $p"
  done
done

echo "Opus, $BITRATE bit/s, complexity $COMPLEXITY, 20 ms frames, mono 48 kHz speech; best of $ROUNDS x ${SECONDS_EACH} s"
printf "%-12s %16s %16s %10s\n" kernel "Timbre samples/s" "libopus C" "Timbre/C"
for k in encode decode; do
  t=$(best ${T[$k]}); p=$(best ${P[$k]})
  printf "%-12s %16.0f %16.0f %10.3f\n" "opus.$k" "$t" "$p" "$(python3 -c "print($t/$p)")"
done
fi

if [ "$INSTRUCTIONS" = 1 ] && command -v valgrind >/dev/null; then
  strip -o "$OUT/timbre" "$TIMBRE"
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  echo
  echo "Instructions per pass over the 4.5 s input (callgrind, (I[3 passes] - I[1 pass]) / 2)"
  printf "%-12s %16s %16s %10s\n" kernel "Timbre" "libopus C" "Timbre/C"
  for k in encode decode; do
    t1=$(count "$OUT/timbre" bench --json --kernel "opus.$k" --iterations 1 --bitrate "$BITRATE" --complexity "$COMPLEXITY")
    t3=$(count "$OUT/timbre" bench --json --kernel "opus.$k" --iterations 3 --bitrate "$BITRATE" --complexity "$COMPLEXITY")
    p1=$(count "$OUT/opus_peer" "$WAV" "$k" "$BITRATE" "$COMPLEXITY" --passes 1)
    p3=$(count "$OUT/opus_peer" "$WAV" "$k" "$BITRATE" "$COMPLEXITY" --passes 3)
    python3 -c "t=($t3-$t1)/2; p=($p3-$p1)/2; print('%-12s %16d %16d %10.4f' % ('opus.$k', t, p, t/p))"
  done
fi
