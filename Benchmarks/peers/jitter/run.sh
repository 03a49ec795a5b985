#!/usr/bin/env bash
# Peer comparison for the jitter buffer: Timbre adaptive vs speexdsp's jitter buffer vs fixed
# 60 ms and 120 ms buffers, through exactly the same traces, RTP packetisation, decoders,
# concealment and statistics (`timbre netsim --jitter-buffer adaptive|speexdsp|fixed:60|fixed:120`).
# Quality is PESQ (Python `pesq`, ITU-T P.862: narrowband for G.711, wideband for G.722/Opus),
# each utterance aligned and scored on its own; delay is netsim's meanPlayoutDelayMs.
#
# Usage: Benchmarks/peers/jitter/run.sh [OUTDIR]
#   env TIMBRE=path/to/timbre (default: .build-release/release/timbre, else .build/debug/timbre)
#       CODECS="pcmu g722 opus"  MODELS="lan wifi 4g-handover bursty-loss reorder outage drift"
#       SEED=1
# Needs: sox, python3 with numpy, scipy and pesq (pip install pesq).
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${1:-/tmp/timbre-jitter-peers}
mkdir -p "$OUT"
TIMBRE=${TIMBRE:-}
if [[ -z "$TIMBRE" ]]; then
  if [[ -x .build-release/release/timbre ]]; then TIMBRE=.build-release/release/timbre; else TIMBRE=.build/debug/timbre; fi
fi
CODECS=${CODECS:-"pcmu g722 opus"}
MODELS=${MODELS:-"lan wifi 4g-handover bursty-loss reorder outage drift"}
SEED=${SEED:-1}

# 60 s of speech: the four SampleAudio talkers, each utterance followed by 0.5 s of silence,
# repeated three times (12 utterances of 5 s).
S=SampleAudio
for f in en-male en-female fr zh; do
  sox "$S/speech-$f-16k.wav" "$OUT/utt-$f.wav" pad 0 0.5
done
sox "$OUT"/utt-en-male.wav "$OUT"/utt-en-female.wav "$OUT"/utt-fr.wav "$OUT"/utt-zh.wav \
    "$OUT/speech-60s.wav" repeat 2 trim 0 60

for m in $MODELS; do
  "$TIMBRE" netsim generate --model "$m" --seconds 60 --seed "$SEED" "$OUT/$m.csv"
done

BUFFERS="adaptive speexdsp fixed:60 fixed:120"
for c in $CODECS; do
  for m in $MODELS; do
    for b in $BUFFERS; do
      tag="$c-$m-${b/:/}"
      "$TIMBRE" netsim --trace "$OUT/$m.csv" --codec "$c" --in "$OUT/speech-60s.wav" \
        --out "$OUT/$tag.wav" --stats "$OUT/$tag.json" --jitter-buffer "$b" &
      # Two at a time: the machine is shared.
      while (( $(jobs -r | wc -l) >= 2 )); do sleep 0.2; done
    done
  done
done
wait
python3 "$(dirname "$0")/score.py" "$OUT" --codecs "$CODECS" --models "$MODELS" --buffers "$BUFFERS"
