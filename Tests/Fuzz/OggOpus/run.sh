#!/usr/bin/env bash
# Bounded fuzz run of the Ogg Opus reader/decoder (libFuzzer + AddressSanitizer).
#   Tests/Fuzz/OggOpus/run.sh [SECONDS]   (default 60)
# The module sources are copied into one module (their `import Timbre*` lines dropped) and
# compiled with the entry point; the corpus is seeded with Ogg Opus files from ffmpeg, opusenc
# and Timbre itself.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SECONDS_TO_RUN=${1:-60}
WORK=${WORK:-/tmp/timbre-fuzz-oggopus}
mkdir -p "$WORK/src" "$WORK/corpus"
rm -f "$WORK/src/"*.swift
for m in TimbreCore TimbreCodecs TimbreOpus; do
  for f in "$ROOT/Sources/$m/"*.swift; do
    sed -E '/^(public |internal |package )?import Timbre/d' "$f" > "$WORK/src/$m-$(basename "$f")"
  done
done
cp "$HERE/FuzzOggOpus.swift" "$WORK/src/"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TimbreFuzz \
  -enable-upcoming-feature ExistentialAny -I "$ROOT/Sources/COpus" $(pkg-config --cflags-only-I opus | sed 's/-I/-Xcc -I/g') \
  "$WORK/src/"*.swift -lopus -o "$WORK/fuzz-oggopus"
if [ -z "$(ls -A "$WORK/corpus")" ]; then
  # Seeds: a control byte (0x81: repair CRCs, split in the middle) then a real Ogg Opus file.
  S="$ROOT/SampleAudio"
  ffmpeg -v error -y -t 0.3 -i "$S/speech-en-male-16k.wav" -c:a libopus -b:a 16k -page_duration 20000 "$WORK/ffmpeg.opus"
  sox "$S/speech-fr-48k.wav" -t wav - trim 0 0.2 2>/dev/null | opusenc --quiet - "$WORK/opusenc.opus" || true
  for f in "$WORK"/*.opus; do
    [ -s "$f" ] && { printf '\x81'; cat "$f"; } > "$WORK/corpus/$(basename "$f")"
  done
fi
nice "$WORK/fuzz-oggopus" -max_total_time="$SECONDS_TO_RUN" -max_len=20000 -rss_limit_mb=1024 "$WORK/corpus" 2>&1 | tail -15
