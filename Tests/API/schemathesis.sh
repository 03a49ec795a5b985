#!/usr/bin/env bash
# Property-based API contract check: schemathesis generates requests from the OpenAPI document
# that timbred serves (/openapi.json) and checks every response against it (status codes,
# content types, response schemas, no 5xx). Usage:
#   Tests/API/schemathesis.sh [TIMBRED_BINARY] [MAX_EXAMPLES] [SEED]
# Needs `pip install schemathesis` (4.x). Starts timbred on its own port and data directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/debug/timbred}
EXAMPLES=${2:-25}
SEED=${3:-1}
PORT=${PORT:-18089}
WORK=$(mktemp -d /tmp/timbre-st.XXXXXX)
cat > "$WORK/config.json" <<JSON
{"api": {"host": "127.0.0.1", "port": $PORT},
 "rtp": {"host": "127.0.0.1", "portMin": 34000, "portMax": 34999},
 "dataDirectory": "$WORK/data"}
JSON
"$BIN" --config "$WORK/config.json" > "$WORK/timbred.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 $PID 2>/dev/null || { cat "$WORK/timbred.log"; exit 1; }
    sleep 0.1
done
schemathesis --config-file Tests/API/schemathesis.toml run "http://127.0.0.1:$PORT/openapi.json" \
    --checks all --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
    --phases examples,coverage,fuzzing
kill -0 $PID 2>/dev/null || { echo "timbred died during the run:"; tail -50 "$WORK/timbred.log"; exit 1; }
