#!/usr/bin/env bash
# The demo: set-up (idempotent), then `fer-edge run` on real faces with the embedded MQTT broker, printing each
# emotion event as a subscriber of that broker receives it.
# Usage: scripts/demo.sh [video file | camera index | image folder]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-training

clip=../shared/media/tears_of_steel_10s_640x360.mp4
source_arg=${1:-$clip}
if [ "$source_arg" = "$clip" ]; then
  [ -f "$clip" ] || { echo "demo: $clip not found; pass a video file, camera index or image folder" >&2; exit 1; }
  echo "Video: Tears of Steel (c) 2012 Blender Foundation, mango.blender.org, CC-BY 3.0"
fi
echo
export FER_EDGE_LOG_LEVEL=${FER_EDGE_LOG_LEVEL:-warn}
# Port 0: the embedded broker takes a free port, so the demo also runs where a broker already uses 1883.
exec node dist/src/cli/main.js run --source "$source_arg" --broker-port 0 --echo
