#!/usr/bin/env bash
# Trains the demo's default model, www/assets/cmin-world.safetensors, exactly as shipped:
# the synthetic world at its defaults (96 half-second steps, 64-d features), d = 128 CMIN
# with the paper's bilinear fusion on standardised projections (bilinear_norm), seed 1, the
# recipe of scripts/world-recipe.sh (warm-up and cosine decay, early stopping on validation);
# then evaluates the best epoch on the test split, its role-sensitive subset and the typed
# rewording of its queries. About 30 minutes on one core.
#
#   scripts/train-world-model.sh [WORKDIR]     (default /tmp/cmin-world-model)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
WORK="${1:-/tmp/cmin-world-model}"
source scripts/world-recipe.sh
world_data "$WORK"
RUN="$WORK/run"
mkdir -p "$RUN"
world_config bilinear_norm true true true false > "$RUN/config.json"
world_train "$WORK" "$RUN" 1
for split in test test-role-sensitive test-typed; do
  "$CMIN" eval --weights "$RUN/best.safetensors" --annotations "$WORK/$split.json" --features "$WORK/features"
done
echo "cp $RUN/best.safetensors www/assets/cmin-world.safetensors   # to ship it"
