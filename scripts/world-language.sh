#!/usr/bin/env bash
# How well a world model reads the words people use (issue 24), printed as a table:
#   - the hand-written held-out set (tests/data/handwritten/: 397 queries on 110 videos of
#     seeds 50000+), R@1 / R@5 at IoU 0.5 by kind of variation and overall, and the typo
#     queries without typo correction;
#   - the world's test split: plain, role-sensitive, in the training words and frames
#     (varied), in held-out words and frames, and the typed rewording;
#   - the parser against the gold trees of the varied and held-out wordings (UAS, LAS).
#
#   scripts/world-language.sh [WEIGHTS] [WORKDIR]
#     (defaults: the shipped www/assets/cmin-world.safetensors, /tmp/cmin-world-model)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/world-recipe.sh
WEIGHTS="${1:-www/assets/cmin-world.safetensors}"
WORK="${2:-/tmp/cmin-world-model}"
world_data "$WORK"
OUT="${OUT:-$WORK/language-$(basename "$WEIGHTS" .safetensors)}"
mkdir -p "$OUT"
evaluate() { # ANNOTATIONS NAME [FLAGS...]
  "$CMIN" eval --weights "$WEIGHTS" --annotations "$1" --features "$WORK/features" --json "$OUT/$2.json" "${@:3}" > /dev/null
}
for file in tests/data/handwritten/*.json; do
  evaluate "$file" "handwritten-$(basename "$file" .json)"
done
evaluate tests/data/handwritten/typo.json handwritten-typo-uncorrected --no-spelling
for split in test test-role-sensitive test-varied test-held-out test-typed; do
  evaluate "$WORK/$split.json" "$split"
done
for wording in varied held-out; do
  "$CMIN" parser eval "$WORK/test-$wording.conllu" > "$OUT/parser-$wording.txt"
done
node scripts/world-language-table.mjs "$OUT"
