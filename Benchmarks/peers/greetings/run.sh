#!/usr/bin/env bash
# Greeting conversion speed, Timbre vs sox vs ffmpeg in the same run.
#
# Converts a set of MP3 files and 44.1 kHz stereo WAV files to 8 kHz mono u-law WAV (the
# Yeastar u-law greeting format). Each tool runs on both cores: Timbre with its own
# `greeting convert --batch` (one process, a worker per core), sox and ffmpeg one process per
# file through `xargs -P $(nproc)`, which is how a PBX script would drive them.
#
# Usage: Benchmarks/peers/greetings/run.sh [TIMBRE_BINARY] [FILES_PER_KIND] [SECONDS_PER_FILE]
# Defaults: .build-release/release/timbre (build: swift build -c release --scratch-path .build-release), 12, 30.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TIMBRE=${1:-$ROOT/.build-release/release/timbre}
N=${2:-12}
SECS=${3:-30}
JOBS=$(nproc)
WORK=$(mktemp -d /tmp/timbre-greeting-peers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/timbre" "$WORK/sox" "$WORK/ffmpeg"

# Inputs: speech samples joined and looped to SECS seconds, 44.1 kHz stereo.
langs=(en-male en-female fr zh)
for i in $(seq 1 "$N"); do
  a=${langs[$((i % 4))]}; b=${langs[$(((i + 1) % 4))]}
  sox "$ROOT/SampleAudio/speech-$a-48k.wav" "$ROOT/SampleAudio/speech-$b-48k.wav" -r 44100 -c 2 "$WORK/src.wav" repeat 10 trim 0 "$SECS"
  cp "$WORK/src.wav" "$WORK/in/wav-$i.wav"
  ffmpeg -hide_banner -loglevel error -y -i "$WORK/src.wav" -c:a libmp3lame -b:a 128k "$WORK/in/mp3-$i.mp3"
done
rm -f "$WORK/src.wav"
FILES=$(ls "$WORK/in" | wc -l)
echo "inputs: $FILES files ($N MP3 128 kbit/s + $N WAV 44.1 kHz stereo), ${SECS} s each; jobs: $JOBS; $(nproc) cores"

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }

# Timbre with each libsamplerate converter: best (the default, what the issue asks for),
# medium and fastest. Each runs after Timbre's own integer decimation (44.1/48 kHz ÷ 5) and over
# four lanes of the signal at once (CascadeResampler); the samples equal the converter alone's.
timbre_run() { rm -rf "$WORK/timbre"; "$TIMBRE" greeting convert --batch --profile yeastar --encoding ulaw "$WORK/in" "$WORK/timbre"; }
timbre_medium_run() { rm -rf "$WORK/tm"; "$TIMBRE" greeting convert --batch --resampler medium --encoding ulaw "$WORK/in" "$WORK/tm"; }
timbre_fastest_run() { rm -rf "$WORK/tf"; "$TIMBRE" greeting convert --batch --resampler fastest --encoding ulaw "$WORK/in" "$WORK/tf"; }
sox_run() { ls "$WORK/in" | xargs -P "$JOBS" -I{} sh -c 'sox "$1/in/$2" -r 8000 -c 1 -e u-law "$1/sox/${2%.*}.wav"' _ "$WORK" {}; }
ffmpeg_run() { ls "$WORK/in" | xargs -P "$JOBS" -I{} sh -c 'ffmpeg -nostdin -hide_banner -loglevel error -y -i "$1/in/$2" -ar 8000 -ac 1 -c:a pcm_mulaw "$1/ffmpeg/${2%.*}.wav"' _ "$WORK" {}; }

# Warm the page cache, then three rounds, interleaved so background load hits all alike.
sox_run; ffmpeg_run; timbre_run
declare -A best
TOOLS="timbre timbre_medium timbre_fastest sox ffmpeg"
for tool in $TOOLS; do best[$tool]=999999; done
for round in 1 2 3; do
  for tool in $TOOLS; do
    s=$(t ${tool}_run)
    best[$tool]=$(echo "if ($s < ${best[$tool]}) $s else ${best[$tool]}" | bc)
    printf "round %d %-15s %.3f s\n" "$round" "$tool" "$s"
  done
done
audio=$(echo "$FILES * $SECS" | bc)
echo "best of 3 (seconds; audio-seconds per wall-second):"
for tool in $TOOLS; do
  printf "  %-15s %.3f s  %.0fx real time\n" "$tool" "${best[$tool]}" "$(echo "$audio / ${best[$tool]}" | bc -l)"
done
for tool in timbre timbre_medium timbre_fastest; do
  printf "%-15s speed vs sox: %.2fx, vs ffmpeg: %.2fx (>1 means Timbre is faster)\n" "$tool" \
    "$(echo "${best[sox]} / ${best[$tool]}" | bc -l)" "$(echo "${best[ffmpeg]} / ${best[$tool]}" | bc -l)"
done
# Every Timbre output is a valid Yeastar greeting.
"$TIMBRE" greeting validate --profile yeastar "$WORK"/timbre/*.wav >/dev/null && echo "all Timbre outputs validate"
