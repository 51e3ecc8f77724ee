#!/usr/bin/env bash
# The main job: builds the npm package (pkg/) the page imports and serves the demo page at
# http://127.0.0.1:8080 with Python's built-in static server (`python3 -m http.server`; any
# static server works: the page is plain files). PORT overrides the port.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/build-pkg.sh
command -v python3 > /dev/null || { apt-get update && apt-get install -y python3; }
port="${PORT:-8080}"
echo "serving the demo at http://127.0.0.1:$port/ (Ctrl-C stops)"
exec python3 -m http.server "$port" --bind 127.0.0.1
