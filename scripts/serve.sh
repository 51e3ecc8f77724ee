#!/usr/bin/env bash
# The main job. Until the demo page exists (issues 3 and 6), it builds the `cmin` CLI and
# verifies the model against the authors' reference vectors on every available backend.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
shared="${CMIN_SHARED:-../shared}"
cargo build --all-features --bin cmin
cmin="$CARGO_TARGET_DIR/debug/cmin"
for set in small tacos; do
  "$cmin" check-parity "$shared/reference/$set"
  "$cmin" check-parity "$shared/reference/$set" --device wgpu --no-grads || echo "(wgpu unavailable or failed: see above)"
done
