#!/usr/bin/env bash
# HID peer comparison, one run: Timbre (ordo-one benchmark, release) vs hid-tools (Python).
#   Benchmarks/peers/hid/run.sh
# Needs: pip install hid-tools
set -euo pipefail
cd "$(dirname "$0")/../.."
DESCRIPTOR=../Tests/TimbreHIDTests/Descriptors/jabra-evolve-link-ms.bin
echo "== Timbre"
swift package --allow-writing-to-package-directory benchmark --target HIDBenchmarks \
    --filter "HID (input|harness|descriptor).*" --format markdown 2>/dev/null | grep -E "^#|Time|Malloc|^\|.*Metric" || true
echo "== hid-tools $(python3 -c 'import importlib.metadata as m; print(m.version("hid-tools"))')"
python3 peers/hid/hidtools_peer.py "$DESCRIPTOR"
