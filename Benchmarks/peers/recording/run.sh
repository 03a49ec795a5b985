#!/usr/bin/env bash
# Recorder throughput: N concurrent 16 kHz mono recordings on ONE core, no queue overflow.
#
# `timbre recording load` runs one producer thread that appends a 20 ms frame to every
# recording every 20 ms (real time, the way the media path would) and one RecordingWriter
# thread that writes them all; `taskset -c 0` holds the whole process to core 0. It prints the
# overflowed frames (must be 0), late producer ticks, and CPU use as a share of that core while
# streaming. Exit status 1 if any frame overflowed.
#
# Usage: Benchmarks/peers/recording/run.sh [TIMBRE_BINARY] [RECORDINGS] [SECONDS] [DIR]
# Defaults: .build-release/release/timbre, 1000, 10, /dev/shm (tmpfs; pass a disk directory to
# include the disk, whose latency then shows in setup/close time, not in streaming overflow).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TIMBRE=${1:-$ROOT/.build-release/release/timbre}
N=${2:-1000}
SECS=${3:-10}
DIR=${4:-/dev/shm}/timbre-recording-load.$$
echo "== $N x 16 kHz mono WAV, ${SECS} s, core 0, $DIR"
taskset -c 0 "$TIMBRE" recording load --recordings "$N" --seconds "$SECS" --rate 16000 --format wav --directory "$DIR"
echo "== $N x 16 kHz mono FLAC, ${SECS} s, core 0, $DIR"
taskset -c 0 "$TIMBRE" recording load --recordings "$N" --seconds "$SECS" --rate 16000 --format flac --directory "$DIR"
