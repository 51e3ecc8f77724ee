#!/usr/bin/env bash
# Trains the demo's default model, www/assets/cmin-world.safetensors, exactly as shipped:
# the synthetic world at its defaults (96 half-second steps, 64-d features), d = 128 CMIN
# with the released code's concatenation fusion, batch 8, a constant learning rate of 1e-3
# (the warm-up starts at the peak and outlasts the run), seed 1, six epochs; then evaluates
# it on the test split and its role-sensitive subset. About 20 minutes on one core.
#
#   scripts/train-world-model.sh [WORKDIR]     (default /tmp/cmin-world-model)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
WORK="${1:-/tmp/cmin-world-model}"
cargo build --bin cmin
CMIN="$CARGO_TARGET_DIR/debug/cmin"
mkdir -p "$WORK"
"$CMIN" world --out "$WORK" --split train --videos 3000 --seed 10000
"$CMIN" world --out "$WORK" --split val --videos 200 --seed 20000
"$CMIN" world --out "$WORK" --split test --videos 500 --seed 30000
cat > "$WORK/config.json" <<'JSON'
{"num_clips": 48, "frame_dim": 64, "word_dim": 50, "d_model": 128, "num_heads": 4,
 "num_gcn_layers": 2, "num_attn_layers": 2, "attention_band": 3, "max_words": 20,
 "anchor_widths": [2, 4, 6, 8, 12, 16], "num_stages": 1, "fusion": "concat",
 "use_gcn": true, "use_self_attention": true, "use_cross_gate": true, "bag_of_words": false,
 "dropout": 0.1}
JSON
"$CMIN" train --train "$WORK/train.json" --val "$WORK/val.json" --features "$WORK/features" \
  --config "$WORK/config.json" --out "$WORK/run" --epochs 6 --lr 1e-3 --batch-size 8 \
  --warmup-steps 100000 --warmup-init-lr 1e-3 --seed 1
# The shipped file is the sixth epoch's weights (also the best on validation).
for split in test test-role-sensitive; do
  "$CMIN" eval --weights "$WORK/run/epoch-006.safetensors" --annotations "$WORK/$split.json" --features "$WORK/features"
done
echo "cp $WORK/run/epoch-006.safetensors www/assets/cmin-world.safetensors   # to ship it"
