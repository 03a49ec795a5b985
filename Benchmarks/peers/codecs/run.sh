#!/usr/bin/env bash
# Peer comparison for Timbre's G.711 and G.722 kernels: builds the C harness (libspandsp,
# libavcodec, plain C tables) and Timbre's runner (release, baseline x86-64 and AVX2), runs
# them on the same speech input (SampleAudio, looped to ≥ 1 M samples) and prints samples/s
# and the ratio Timbre/peer. One core, single thread: run it on an idle machine. Both sides time
# on their thread's CPU-time clock, so time descheduled by other load is not counted (a shared
# core still slows both sides); PEER_CLOCK=wall times on the monotonic wall clock instead.
#
# Then, for G.722, instructions per sample under callgrind (repeatable on a loaded machine, unlike
# the wall clock): (I[3 passes] − I[1 pass]) / 2 over the first 10 s of the 16 kHz input, so
# start-up and input reading cancel out. INSTRUCTIONS=0 skips that part.
#
# Usage: Benchmarks/peers/codecs/run.sh [--no-avx2]     (ROUNDS=N to change the 3 alternating rounds)
# Needs: cc, pkg-config, ffmpeg, libspandsp-dev, libavcodec-dev, swift; valgrind for the counts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="$(cd "$here/../.." && pwd)"
root="$(cd "$bench/.." && pwd)"
work="${TMPDIR:-/tmp}/timbre-codec-peers"
mkdir -p "$work"

# Input: the four speech voices, concatenated and looped to ≥ 1 M samples per rate.
for rate in 8k 16k; do
    : > "$work/speech-$rate.raw"
    for voice in en-male en-female fr zh; do
        ffmpeg -nostdin -loglevel error -y -i "$root/SampleAudio/speech-$voice-$rate.wav" -f s16le -ac 1 "$work/one.raw"
        cat "$work/one.raw" >> "$work/speech-$rate.raw"
    done
    cp "$work/speech-$rate.raw" "$work/once.raw"
    while [ "$(stat -c %s "$work/speech-$rate.raw")" -lt 2097152 ]; do cat "$work/once.raw" >> "$work/speech-$rate.raw"; done
done

flags="$(pkg-config --cflags --libs libavcodec libavutil spandsp)"
cc -O2 -o "$work/codec-peers" "$here/peers.c" $flags
cc -O2 -march=x86-64-v3 -o "$work/codec-peers-avx2" "$here/peers.c" $flags

builds=("baseline:")
if [ "${1:-}" != "--no-avx2" ]; then
    builds+=("avx2:-Xcc -march=x86-64-v3 -Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DTIMBRE_AVX2")
fi

for build in "${builds[@]}"; do
    name="${build%%:*}"
    extra="${build#*:}"
    (cd "$bench" && swift build -c release --product codec-peer-runner --scratch-path "$bench/.build-peers-$name" $extra >&2)
    runner="$bench/.build-peers-$name/release/codec-peer-runner"
    peers="$work/codec-peers"
    cflags="-O2"
    if [ "$name" = avx2 ]; then peers="$work/codec-peers-avx2"; cflags="-O2 -march=x86-64-v3"; fi
    # Alternate peers and Timbre for ROUNDS rounds and keep each kernel's best, so a burst of
    # load from elsewhere on the machine hits both sides alike.
    : > "$work/peers-$name.all"
    : > "$work/timbre-$name.all"
    for _ in $(seq 1 "${ROUNDS:-3}"); do
        "$peers" "$work/speech-8k.raw" "$work/speech-16k.raw" >> "$work/peers-$name.all"
        "$runner" "$work/speech-8k.raw" "$work/speech-16k.raw" >> "$work/timbre-$name.all"
    done
    for side in peers timbre; do
        awk '{ k = $1 " " $2 " " $3; if (!(k in best) || $4 > best[k]) { best[k] = $4; if (!(k in seen)) { seen[k] = 1; order[++n] = k } } }
             END { for (i = 1; i <= n; i++) print order[i], best[order[i]] }' "$work/$side-$name.all" > "$work/$side-$name.txt"
    done
    echo "== $name build: Timbre swift build -c release $extra; C harness cc $cflags; best of ${ROUNDS:-3} alternating rounds; clock ${PEER_CLOCK:-thread-cpu} =="
    awk -v build="$name" '
        FNR == NR { if ($1 == "timbre") t[$2 " " $3] = $4; next }
        { peer[$2 " " $3 " " $1] = $4; order[++n] = $2 " " $3 " " $1 }
        END {
            printf "%-12s %6s %-9s %16s %16s %8s\n", "kernel", "frame", "peer", "peer Msamples/s", "timbre Msamples/s", "ratio"
            for (i = 1; i <= n; i++) {
                split(order[i], k, " ")
                key = k[1] " " k[2]
                if (!(key in t)) key = k[1] " 0"
                printf "%-12s %6s %-9s %16.1f %16.1f %7.2fx\n", k[1], k[2], k[3], peer[order[i]] / 1e6, t[key] / 1e6, t[key] / peer[order[i]]
            }
        }' "$work/timbre-$name.txt" "$work/peers-$name.txt"
    echo "-- timbre rows --"
    awk '{ printf "%-12s %6s %16.1f Msamples/s\n", $2, $3, $4 / 1e6 }' "$work/timbre-$name.txt"
done

# Valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 emits: count on copies without debug info.
if [ "${INSTRUCTIONS:-1}" != 0 ] && command -v valgrind > /dev/null; then
    head -c 320000 "$work/speech-16k.raw" > "$work/callgrind-16k.raw"
    head -c 1000 "$work/speech-8k.raw" > "$work/callgrind-8k.raw"
    count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
    perSample() {  # command… KERNEL [IMPL]: instructions per 16 kHz sample of one pass
        local one three
        one=$(count "$1" "$work/callgrind-8k.raw" "$work/callgrind-16k.raw" "$2" 1 ${3:+"$3"})
        three=$(count "$1" "$work/callgrind-8k.raw" "$work/callgrind-16k.raw" "$2" 3 ${3:+"$3"})
        awk -v a="$one" -v b="$three" 'BEGIN { printf "%.1f", (b - a) / 2 / 160000 }'
    }
    echo "== G.722 instructions per sample (callgrind, (I[3 passes] - I[1 pass]) / 2 / 160000 samples) =="
    printf "%-12s %-16s %14s\n" kernel implementation instr/sample
    for kernel in g722.encode g722.decode; do
        for impl in spandsp ffmpeg; do
            printf "%-12s %-16s %14s\n" "$kernel" "$impl" "$(perSample "$work/codec-peers" "$kernel" "$impl")"
        done
        for build in "${builds[@]}"; do
            name="${build%%:*}"
            strip --strip-debug -o "$work/codec-peer-runner-$name" "$bench/.build-peers-$name/release/codec-peer-runner"
            printf "%-12s %-16s %14s\n" "$kernel" "timbre $name" "$(perSample "$work/codec-peer-runner-$name" "$kernel")"
        done
    done
fi
