#!/usr/bin/env bash
# The paper's ablation (Table 4) on the synthetic world, plus the bag-of-words baseline:
# every variant gets the same data, seed and training budget, then is evaluated on the test
# split and on its role-sensitive subset. Prints a Markdown table.
#
#   scripts/world-ablation.sh [WORKDIR]          (default /tmp/cmin-world-ablation)
#   EPOCHS=12 VARIANTS="full bow" JOBS=2 scripts/world-ablation.sh
#   (TRAIN_VIDEOS, VAL_VIDEOS, TEST_VIDEOS: 3000, 200, 500 by default)
#
# Variants: full (paper: bilinear fusion), no-gcn, no-self-attention, no-cross-gate,
# no-bilinear (the released code's concatenation; the shipped model's settings), bow (mean of
# word vectors in place of the query encoder, with the shipped model's concat fusion), and
# concat-no-gcn, concat-no-self-attention, concat-no-cross-gate (the ablations on top of the
# shipped, concat-fusion model). A variant whose run finished already is not trained again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

WORK="${1:-/tmp/cmin-world-ablation}"
EPOCHS="${EPOCHS:-12}"
VARIANTS="${VARIANTS:-full no-gcn no-self-attention no-cross-gate no-bilinear bow}"
JOBS="${JOBS:-1}"
# A constant learning rate: the warm-up starts at the peak and outlasts the run, so the
# inverse-square-root decay never begins (it slowed learning on this task; BENCHMARKS.md).
TRAIN_FLAGS=(--lr 1e-3 --batch-size 8 --warmup-steps 100000 --warmup-init-lr 1e-3 --seed 1)

# The dev profile optimises every dependency (Cargo.toml), where the work happens, and
# shares its cache with the tests.
cargo build --bin cmin
CMIN="$CARGO_TARGET_DIR/debug/cmin"

mkdir -p "$WORK"
if [ ! -f "$WORK/test.json" ]; then
  "$CMIN" world --out "$WORK" --split train --videos "${TRAIN_VIDEOS:-3000}" --seed 10000
  "$CMIN" world --out "$WORK" --split val --videos "${VAL_VIDEOS:-200}" --seed 20000
  "$CMIN" world --out "$WORK" --split test --videos "${TEST_VIDEOS:-500}" --seed 30000
fi

# config FUSION GCN SELF_ATTENTION CROSS_GATE BAG_OF_WORDS
config() {
  cat <<EOF
{"num_clips": 48, "frame_dim": 64, "word_dim": 50, "d_model": 128, "num_heads": 4,
 "num_gcn_layers": 2, "num_attn_layers": 2, "attention_band": 3, "max_words": 20,
 "anchor_widths": [2, 4, 6, 8, 12, 16], "num_stages": 1, "dropout": 0.1,
 "fusion": "$1", "use_gcn": $2, "use_self_attention": $3, "use_cross_gate": $4,
 "bag_of_words": $5}
EOF
}

switches() {
  case "$1" in
    full) echo "bilinear true true true false" ;;
    no-gcn) echo "bilinear false true true false" ;;
    no-self-attention) echo "bilinear true false true false" ;;
    no-cross-gate) echo "bilinear true true false false" ;;
    no-bilinear) echo "concat true true true false" ;;
    # The baseline keeps the shipped model's settings (concat) and only swaps the query encoder.
    bow) echo "concat true true true true" ;;
    concat-no-gcn) echo "concat false true true false" ;;
    concat-no-self-attention) echo "concat true false true false" ;;
    concat-no-cross-gate) echo "concat true true false false" ;;
    *) echo "unknown variant $1" >&2; return 2 ;;
  esac
}

train() {
  local v="$1" run="$WORK/run-$1" started
  [ -f "$run/minutes" ] && return 0
  mkdir -p "$run"
  # shellcheck disable=SC2046
  config $(switches "$v") > "$run/config.json"
  started=$(date +%s)
  "$CMIN" train --train "$WORK/train.json" --val "$WORK/val.json" --features "$WORK/features" \
    --config "$run/config.json" --out "$run" --epochs "$EPOCHS" "${TRAIN_FLAGS[@]}" 2> "$run/train.log"
  echo $(( ($(date +%s) - started) / 60 )) > "$run/minutes"
}

for v in $VARIANTS; do switches "$v" > /dev/null; done
# burn's CPU backend uses one thread: JOBS runs side by side use JOBS cores.
for v in $VARIANTS; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  train "$v" &
done
wait

echo "| variant | R@1 IoU=0.5 | R@5 IoU=0.5 | mIoU | R@1 IoU=0.5, role-sensitive | train time |"
echo "|---|---|---|---|---|---|"
for v in $VARIANTS; do
  run="$WORK/run-$v"
  for split in test test-role-sensitive; do
    "$CMIN" eval --weights "$run/best.safetensors" --annotations "$WORK/$split.json" \
      --features "$WORK/features" --json "$run/$split.json" > /dev/null 2> "$run/$split-eval.log"
  done
  node -e '
    const [test, role] = process.argv.slice(1, 3).map(f => JSON.parse(require("fs").readFileSync(f, "utf8")));
    const r = (t, name) => t.recall.find(([n]) => n === name)[1].toFixed(2);
    console.log(`| ${process.argv[3]} | ${r(test, "R@1,IoU=0.5")} | ${r(test, "R@5,IoU=0.5")} | ${test.miou.toFixed(2)} | ${r(role, "R@1,IoU=0.5")} | ${process.argv[4]} min |`);
  ' "$run/test.json" "$run/test-role-sensitive.json" "$v" "$(cat "$run/minutes")"
done
