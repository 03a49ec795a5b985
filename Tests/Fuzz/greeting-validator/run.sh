#!/usr/bin/env bash
# Builds and runs the greeting-validator fuzzer (libFuzzer + AddressSanitizer) for a bounded
# time. Usage: Tests/Fuzz/greeting-validator/run.sh [SECONDS] (default 60).
# The module sources are compiled into one fuzz module (cross-module imports removed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SECS=${1:-60}
OUT=/tmp/timbre-fuzz-greeting
rm -rf "$OUT/src"; mkdir -p "$OUT/src" "$OUT/corpus"
for m in TimbreCore TimbreAudioFile TimbreDSP TimbreGreetings; do
  for f in "$ROOT"/Sources/$m/*.swift; do
    sed -E 's/^(public |package |internal )?import (TimbreCore|TimbreAudioFile|TimbreDSP)$//' "$f" > "$OUT/src/$m-$(basename "$f")"
  done
done
# Seed corpus: small valid files of each kind.
sox "$ROOT/SampleAudio/speech-en-male-8k.wav" "$OUT/corpus/pcm.wav" trim 0 0.2
sox "$ROOT/SampleAudio/speech-en-male-8k.wav" -e a-law "$OUT/corpus/alaw.wav" trim 0 0.2
sox "$ROOT/SampleAudio/speech-en-male-8k.wav" "$OUT/corpus/g.gsm" trim 0 0.2
ffmpeg -hide_banner -loglevel error -y -i "$ROOT/SampleAudio/speech-en-male-8k.wav" -t 0.3 -c:a libmp3lame "$OUT/corpus/a.mp3"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name TimbreFuzz \
  -I "$ROOT/Sources/CSndFile" -I "$ROOT/Sources/CSampleRate" -I "$ROOT/Sources/CSpeexDSP" \
  "$OUT"/src/*.swift "$ROOT/Tests/Fuzz/greeting-validator/FuzzGreetingValidator.swift" \
  -lsndfile -lsamplerate -lspeexdsp -o "$OUT/fuzz-greeting"
cd "$OUT"
nice ./fuzz-greeting -max_total_time="$SECS" -max_len=4096 -rss_limit_mb=2048 corpus 2>&1 | tail -15
