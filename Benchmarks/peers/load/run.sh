#!/usr/bin/env bash
# Peer comparison for `timbre load`: timbred and Debian's rtpengine (userspace forwarding and
# transcoding, driven through its NG protocol) under the same RTP loads, each service pinned to
# ONE core, the load generator on another. Prints one table: calls held, packets lost inside the
# service (with timbred, the share of its jitter buffers' output that was concealment), p50/p99
# added one-way latency, service CPU per call, for both side by side.
#
#   Benchmarks/peers/load/run.sh                 # the issue's loads, 10 s each
#   LOADS="pcmu:pcmu:250" LOAD_SECONDS=5 Benchmarks/peers/load/run.sh
#
# A load is CODEC:CODEC2:N (N calls, the second leg in CODEC2, transcoded when it differs) or
# conf:CODEC:K (one conference of K parties; rtpengine has no mixer, so it shows n/a).
# Needs the release build: swift build -c release -Xcc -march=x86-64-v3 -Xswiftc -target-cpu \
#   -Xswiftc haswell -Xswiftc -DTIMBRE_AVX2 --scratch-path .build-release   (or BUILD=dir with timbre and timbred)
# and rtpengine (apt-get install -y rtpengine-daemon).
# NICE=-15 runs both services and the generator at that nice level (root only), the same for both
# peers, so that compilers or other jobs sharing the cores take far less of their CPU. With
# sched_autogroup on, nice only counts inside a session's group, so the script also sets its
# session group's nice: start it in a session of its own (`setsid -w env NICE=-15 .../run.sh`).
# (SCHED_FIFO was tried: timbred's runtime threads then starve each other on one core.)
# LEGS_PER_SOCKET=N lets N generator legs share a socket (`timbre load --legs-per-socket`): the
# generator then drives more calls from its core; both services see the same traffic as before.
# FLOOR=1 adds a third peer: floor-relay.c (next to this script), the cheapest correct userspace
# relay (latch, then forward each datagram unchanged from the other leg's socket), built with
# cc -O2 into the work directory, driven through the same NG protocol and pinned like the others;
# its CPU per call is the kernel's socket cost, a floor under any userspace relay. It relays PCMU
# to PCMU only, so transcoding and conference loads show n/a for it. FLOOR_MODE=tick (default: a
# 20 ms tick drains every leg socket with recvmmsg), epoll, or uring (the tick's receives and
# sends as io_uring operations, a few io_uring_enter calls per tick instead of two system calls
# per datagram); FLOOR_CONNECTED=1 connects each leg's socket once latched and sends with send()
# instead of sendto(). FLOOR_VARIANTS="tick uring tick+connect" (at most 3) runs several such
# columns in the same run instead.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$ROOT/.build-release/release}
SECONDS_EACH=${LOAD_SECONDS:-10}
WARMUP=${LOAD_WARMUP:-3}
SERVICE_CORE=${SERVICE_CORE:-1}
GENERATOR_CORE=${GENERATOR_CORE:-0}
LOADS=${LOADS:-"pcmu:pcmu:250 pcmu:pcmu:500 pcmu:pcmu:1000 pcmu:g722:500 opus:pcmu:120 conf:g722:100"}
API_PORT=${API_PORT:-18089}
NG_PORT=${NG_PORT:-22223}
export TIMBRE_SAMPLE_AUDIO=$ROOT/SampleAudio
RT=()
if [ -n "${NICE:-}" ]; then
    RT=(nice -n "$NICE")
    [ -w /proc/self/autogroup ] && echo "$NICE" > /proc/self/autogroup
fi

for b in "$BUILD/timbre" "$BUILD/timbred"; do
    [ -x "$b" ] || { echo "missing $b (build the release first)" >&2; exit 2; }
done
command -v rtpengine >/dev/null || { echo "rtpengine not installed (apt-get install -y rtpengine-daemon)" >&2; exit 2; }
FLOORS=()
if [ -n "${FLOOR_VARIANTS:-}" ]; then
    read -r -a FLOORS <<< "$FLOOR_VARIANTS"
elif [ "${FLOOR:-0}" = 1 ]; then
    FLOORS=("${FLOOR_MODE:-tick}")
    if [ "${FLOOR_CONNECTED:-0}" = 1 ]; then FLOORS[0]+=+connect; fi
fi

WORK=$(mktemp -d /tmp/timbre-load-peers.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

cat > "$WORK/timbred.json" <<JSON
{"api": {"host": "127.0.0.1", "port": $API_PORT},
 "rtp": {"host": "127.0.0.1", "portMin": 30000, "portMax": 39999, "timeoutSeconds": 600},
 "limits": {"endpoints": 5000, "bridges": 3000, "participantsPerBridge": 1000},
 "logging": {"level": "warning"}, "dataDirectory": "$WORK/data"}
JSON
taskset -c "$SERVICE_CORE" "${RT[@]}" "$BUILD/timbred" --config "$WORK/timbred.json" > "$WORK/timbred.log" 2>&1 &
TIMBRED=$!; PIDS+=("$TIMBRED")
taskset -c "$SERVICE_CORE" "${RT[@]}" rtpengine --table=-1 --foreground --log-stderr --log-level=4 --no-log-timestamps \
    --interface=127.0.0.1 --listen-ng=127.0.0.1:$NG_PORT --port-min=40000 --port-max=49999 \
    --num-threads=1 --media-num-threads=1 --timeout=600 --silent-timeout=600 > "$WORK/rtpengine.log" 2>&1 &
RTPENGINE=$!; PIDS+=("$RTPENGINE")
PEERS=(timbred rtpengine)
declare -A FLOOR_PID FLOOR_NG
if [ ${#FLOORS[@]} -gt 0 ]; then
    cc -O2 -o "$WORK/floor-relay" "$ROOT/Benchmarks/peers/load/floor-relay.c"
    [ ${#FLOORS[@]} -le 3 ] || { echo "at most 3 FLOOR_VARIANTS (each takes 4,600 ports from 50000 up)" >&2; exit 2; }
    k=0
    for variant in "${FLOORS[@]}"; do
        mode=${variant%%+*}
        case "$mode" in tick|epoll|uring) ;; *) echo "FLOOR variant '$variant': tick, epoll or uring, optionally +connect" >&2; exit 2 ;; esac
        extra=()
        if [ "$variant" != "$mode" ]; then extra=(--connect); fi
        ng=$((NG_PORT + 1 + k))
        taskset -c "$SERVICE_CORE" "${RT[@]}" "$WORK/floor-relay" --listen-ng "127.0.0.1:$ng" --interface 127.0.0.1 \
            --port-min $((50000 + 4600 * k)) --port-max $((54599 + 4600 * k)) --mode "$mode" "${extra[@]}" \
            > "$WORK/floor-$k.log" 2>&1 &
        FLOOR_PID[$variant]=$!; FLOOR_NG[$variant]=$ng; PIDS+=("$!")
        PEERS+=("floor-$variant")
        k=$((k + 1))
    done
fi
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$API_PORT/healthz" >/dev/null && break; sleep 0.1; done
sleep 0.5
echo "timbred pid $TIMBRED, rtpengine pid $RTPENGINE ($(rtpengine --version 2>&1 | head -1))${FLOORS:+, floor relays ${FLOORS[*]}}, all on core $SERVICE_CORE;" \
    "generator on core $GENERATOR_CORE (${LEGS_PER_SOCKET:-1} legs per socket);${NICE:+ nice $NICE;} ${SECONDS_EACH} s measured after ${WARMUP} s warm-up per load" >&2

run() {  # name backend-args load-args...
    local out=$1; shift
    taskset -c "$GENERATOR_CORE" "${RT[@]}" "$BUILD/timbre" load "$@" --seconds "$SECONDS_EACH" --warmup "$WARMUP" \
        --legs-per-socket "${LEGS_PER_SOCKET:-1}" --json \
        > "$out" 2> "$out.err" || true
    [ -s "$out" ] || echo "{\"error\": $(jq -Rs . < "$out.err")}" > "$out"
}

i=0
for load in $LOADS; do
    IFS=: read -r a b n <<< "$load"
    i=$((i + 1))
    if [ "$a" = conf ]; then
        args=(--calls 1 --conference "$n" --codec "$b")
    else
        args=(--calls "$n" --codec "$a" --transcode-to "$b")
    fi
    echo "load $load: timbred ..." >&2
    run "$WORK/$i.timbred.json" --api "http://127.0.0.1:$API_PORT" --service-pid "$TIMBRED" "${args[@]}"
    echo "load $load: rtpengine ..." >&2
    if [ "$a" = conf ]; then
        echo '{"error": "rtpengine has no conference mixer"}' > "$WORK/$i.rtpengine.json"
    else
        run "$WORK/$i.rtpengine.json" --rtpengine "127.0.0.1:$NG_PORT" --service-pid "$RTPENGINE" "${args[@]}"
    fi
    for variant in "${FLOORS[@]}"; do
        out="$WORK/$i.floor-$variant.json"
        if [ "$a" = conf ] || [ "$a" != "$b" ]; then
            echo '{"error": "the floor relay forwards PCMU to PCMU only"}' > "$out"
        else
            echo "load $load: floor-$variant ..." >&2
            run "$out" --rtpengine "127.0.0.1:${FLOOR_NG[$variant]}" --service-pid "${FLOOR_PID[$variant]}" "${args[@]}"
        fi
    done
    echo "$load" > "$WORK/$i.name"
done
printf '%s\n' "${PEERS[@]}" > "$WORK/peers"

python3 - "$WORK" "$i" <<'PY'
import json, sys
work, count = sys.argv[1], int(sys.argv[2])
def cell(path):
    d = json.load(open(path))
    if "error" in d:
        return ["n/a"] * 4 + [d["error"].strip().splitlines()[-1][:60] if d["error"].strip() else "failed"]
    lat = d["latencyMs"]; cpu = d["cpu"]
    p = lambda v: "-" if v is None else f"{v:.1f}"
    pc = cpu.get("servicePercentPerCall")
    conc = d.get("concealedPercent")
    return [f'{d["callsHeld"]}/{d["callsRequested"]}', str(d["lostInService"]) + ("" if conc is None else f' (conc {conc:.2f}%)'),
            f'{p(lat["p50"])}/{p(lat["p99"])}' + (f' (jb {lat["jitterBufferTargetMean"]:.0f})' if lat.get("jitterBufferTargetMean") is not None else ""),
            "-" if pc is None else f"{pc:.4f}% ({100/pc:.0f}/core)" if pc > 0 else "0", ""]
peers = open(f"{work}/peers").read().split()
rows = [["load"] + [h for who in peers for h in (f"{who} held", "lost", "p50/p99 ms", "CPU/call")]]
notes = []
for k in range(1, count + 1):
    name = open(f"{work}/{k}.name").read().strip()
    row = [name]
    for who in peers:
        c = cell(f"{work}/{k}.{who}.json")
        row += c[:4]
        if c[4]: notes.append(f"{name} {who}: {c[4]}")
    rows.append(row)
widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
for r in rows:
    print("  ".join(v.ljust(w) for v, w in zip(r, widths)))
for n in notes:
    print("note:", n)
print(f"(raw JSON per run in {work})")
PY
