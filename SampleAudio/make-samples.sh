#!/usr/bin/env bash
# Makes Timbre's test audio: short speech in several voices and languages (espeak-ng), tones,
# noise and silence, each at 8, 16 and 48 kHz, 16-bit mono WAV. Re-running gives the same files
# for the same espeak-ng and sox versions (noise is seeded). Needs: espeak-ng, sox.
set -euo pipefail
cd "$(dirname "$0")"

speak() { # name voice text
    local name=$1 voice=$2 text=$3
    espeak-ng -v "$voice" -s 150 -w "/tmp/timbre-$name.wav" "$text"
    for rate in 8000 16000 48000; do
        sox -D "/tmp/timbre-$name.wav" -r $rate -c 1 -b 16 "speech-$name-$((rate / 1000))k.wav" \
            norm -3 rate -v $rate trim 0 4.5 fade t 0 -0 0.05
    done
    rm -f "/tmp/timbre-$name.wav"
}

speak en-male   en-us   "Hello, thank you for calling. Please hold while we connect your call to the next available agent."
speak en-female en-gb+f3 "The quick brown fox jumps over the lazy dog. Press one for sales, or two for support."
speak fr        fr-fr   "Bonjour, merci de votre appel. Veuillez patienter, nous allons vous mettre en relation."
speak zh        cmn     "你好，感谢您的来电。请稍候，我们将为您转接下一位客服人员。"

for rate in 8000 16000 48000; do
    k=$((rate / 1000))
    sox -D -n -r $rate -c 1 -b 16 "tone-1khz-${k}k.wav" synth 1 sine 1000 gain -6
    sox -D -n -r $rate -c 1 -b 16 "sweep-${k}k.wav" synth 2 sine 100:$((rate * 45 / 100)) gain -6
    sox -D -R -n -r $rate -c 1 -b 16 "noise-${k}k.wav" synth 1 whitenoise gain -20
    sox -D -n -r $rate -c 1 -b 16 "silence-${k}k.wav" trim 0 1
done

du -sh .
