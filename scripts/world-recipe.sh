# Sourced by train-world-model.sh and world-ablation.sh: the world's data, the model config
# and the training recipe, in one place so the shipped model and every ablation row share them.

# The dev profile optimises every dependency (Cargo.toml), where the work happens, and shares
# its cache with the tests.
cargo build -p cmin-cli
CMIN="$CARGO_TARGET_DIR/debug/cmin"

# Train / val / test = 3,000 / 200 / 500 videos (about 8,100 / 540 / 1,360 queries). Training
# and validation queries are worded from the lexicon's training words and frames (synonyms,
# tenses, questions, commands, capitals), two wordings of each training query (16,266
# examples an epoch); the test split keeps the generator's plain wording
# (test.json) and also gets the same queries in the training words (test-varied.json), in
# held-out words and frames (test-held-out.json), the typed rewording (test-typed.json), one
# file per construction (test-kind-*.json), and the gold trees of the varied and held-out
# wordings (to measure the parser on them).
world_data() {
  local work="$1"
  [ -f "$work/handwritten.json" ] && return 0
  mkdir -p "$work"
  "$CMIN" world --out "$work" --split train --videos "${TRAIN_VIDEOS:-3000}" --seed 10000 --wording varied --wordings 2
  "$CMIN" world --out "$work" --split val --videos "${VAL_VIDEOS:-200}" --seed 20000 --wording varied
  "$CMIN" world --out "$work" --split test --videos "${TEST_VIDEOS:-500}" --seed 30000 \
    --varied-treebank "$work/test-varied.conllu" --held-out-treebank "$work/test-held-out.conllu"
  # The videos of the hand-written queries (tests/data/handwritten/): evaluation only.
  "$CMIN" world --out "$work" --split handwritten --videos 110 --seed 50000
}

# world_config FUSION GCN SELF_ATTENTION CROSS_GATE BAG_OF_WORDS
world_config() {
  cat <<JSON
{"num_clips": 48, "frame_dim": 64, "word_dim": 50, "d_model": 128, "num_heads": 4,
 "num_gcn_layers": 2, "num_attn_layers": 2, "attention_band": 3, "max_words": 20,
 "anchor_widths": [2, 4, 6, 8, 12, 16], "num_stages": 1, "dropout": 0.1,
 "fusion": "$1", "use_gcn": $2, "use_self_attention": $3, "use_cross_gate": $4,
 "bag_of_words": $5}
JSON
}

# Batch 8; one epoch (about 1,000 updates) of linear warm-up to 1e-3, then a cosine down to
# 1e-5 at the last of EPOCHS epochs; the best epoch on validation is kept, and a run stops
# once PATIENCE epochs bring no better validation R@1.
EPOCHS="${EPOCHS:-30}"
PATIENCE="${PATIENCE:-6}"
TRAIN_FLAGS=(--epochs "$EPOCHS" --lr 1e-3 --batch-size 8 --warmup-steps 1000 --warmup-init-lr 1e-5
  --schedule cosine --min-lr 1e-5 --patience "$PATIENCE")

# world_train WORK RUN SEED: trains RUN/config.json on WORK's data, one thread (the figures of
# runs side by side stay comparable), logging to RUN/train.log.
world_train() {
  RAYON_NUM_THREADS=1 "$CMIN" train --train "$1/train.json" --val "$1/val.json" --features "$1/features" \
    --config "$2/config.json" --out "$2" "${TRAIN_FLAGS[@]}" --seed "$3" 2> "$2/train.log"
}
