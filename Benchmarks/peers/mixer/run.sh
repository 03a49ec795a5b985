#!/bin/sh
# Mix-minus kernel and whole-bridge cost: Timbre's bridge side by side with a straightforward C
# mix-minus kernel (mixminus.c, -O3 -march=native), in one run.
#
# Both sides time with CLOCK_THREAD_CPUTIME_ID (CPU time of the timing thread), so other load
# on a shared machine inflates the figures less than wall time would; run each several times
# and compare ratios from the same run. Workload: 16 kHz, 20 ms frames (320 samples), int16 in
# and out, every participant talking (a synthetic 210 Hz + 1130 Hz + noise signal well below
# -6 dBFS per talker), everyone mixed (no top-K) so both sides do the same mixing.
#
#   copy:   frames copied into and out of the mixer's own buffers (Timbre: write/mix/read)
#   direct: the kernel alone, decoders writing into and encoders reading from the mixer's
#           buffers (Timbre: inputFrame/mix/outputFrame)
#
# The kernel table has two Timbre columns: the bridge without talk events
# (`BridgeConfiguration.detectsSpeakers` off: sum, mix-minus, limiter, fades — what the C kernel
# does, minus its lack of a limiter) and with them (a level measure and a speaker detector per
# participant per frame on top, which the C kernel does not have).
#
# Usage: Benchmarks/peers/mixer/run.sh [seconds-per-point] [rounds]   (from the repository root)
#   ROUNDS alternate C and Timbre per point; each column keeps its best (least disturbed) round.
#   TIMBRE=path uses an already built AVX2 release `timbre` instead of building one.
set -eu
SECONDS_PER_POINT=${1:-1}
ROUNDS=${2:-1}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=${TMPDIR:-/tmp}/timbre-mixer-peer
mkdir -p "$OUT"
cc -O3 -march=native -o "$OUT/mixminus" "$ROOT/Benchmarks/peers/mixer/mixminus.c" -lm
if [ -z "${TIMBRE:-}" ]; then
    (cd "$ROOT" && swift build -c release --scratch-path .build-release --product timbre \
        -Xcc -march=x86-64-v3 -Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DTIMBRE_AVX2 >/dev/null)
    TIMBRE="$ROOT/.build-release/release/timbre"
fi

field() { tr " " "\n" | sed -n "s|^$1=||p"; }
# The smaller of two numbers (best round so far; empty = none yet).
best() { if [ -z "$1" ]; then echo "$2"; else awk "BEGIN { print ($1 < $2) ? $1 : $2 }"; fi; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

echo "| N | mode | C ns/participant-tick | Timbre, no talk events | ratio C/Timbre | Timbre, talk events | ratio C/Timbre |"
echo "|---|---|---|---|---|---|---|"
for mode in direct copy; do
    for n in 3 10 100 1000; do
        if [ "$mode" = direct ]; then flag=--zero-copy; else flag=; fi
        c= t= e=
        r=0
        while [ "$r" -lt "$ROUNDS" ]; do
            c=$(best "$c" "$("$OUT/mixminus" "$n" "$SECONDS_PER_POINT" 0 "$mode" | field ns/participant-tick)")
            t=$(best "$t" "$("$TIMBRE" mix-bench --participants "$n" --seconds "$SECONDS_PER_POINT" $flag --no-talk-events | field ns/participant-tick)")
            e=$(best "$e" "$("$TIMBRE" mix-bench --participants "$n" --seconds "$SECONDS_PER_POINT" $flag | field ns/participant-tick)")
            r=$((r + 1))
        done
        echo "| $n | $mode | $c | $t | $(ratio "$c" "$t") | $e | $(ratio "$c" "$e") |"
    done
done

echo
echo "Whole bridge, one thread: per participant one decode (into the bridge) and its share of mix"
echo "and encode; 3 talkers, the rest idle microphones (about -60 dBFS), top-K 3 (the bridge's"
echo "policy for large rooms). per-listener: one encoder per participant; shared: SharedEncoderGroup,"
echo "one encode for everyone who hears the full mix plus one per mixed talker."
echo
echo "| codec | encoding | N | ns/participant-tick | real-time participants/core |"
echo "|---|---|---|---|---|"
for spec in g722:16000 pcmu:8000 opus:16000; do
    codec=${spec%:*}
    rate=${spec#*:}
    for encoding in per-listener shared; do
        if [ "$encoding" = shared ]; then share=--share; else share=; fi
        for n in 100 1000 2000; do
            line=$("$TIMBRE" mix-bench --codec "$codec" --rate "$rate" --participants "$n" --talkers 3 \
                --zero-copy $share --seconds "$SECONDS_PER_POINT")
            ns=$(echo "$line" | field ns/participant-tick)
            per_core=$(echo "$line" | field participants/core)
            echo "| $codec | $encoding | $n | $ns | $per_core |"
        done
    done
done
echo
echo "Peer (codec cost alone; a G.722 participant costs at least this):"
if pkg-config --exists spandsp; then
    cc -O3 -march=native -o "$OUT/g722peer" "$ROOT/Benchmarks/peers/mixer/g722peer.c" \
        $(pkg-config --cflags --libs spandsp) -lm
    "$OUT/g722peer"
else
    echo "(libspandsp-dev not installed: no G.722 peer)"
fi
