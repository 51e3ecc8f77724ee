#!/usr/bin/env bash
# Builds the npm package `cmin-wasm` into pkg/ (wasm-pack, --target web), renames it, adds
# the default assets, and prints the .wasm size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh --wasm
CARGO_TARGET_DIR="$CMIN_WASM_TARGET_DIR" wasm-pack build --release --target web --out-dir pkg --out-name cmin --no-default-features
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("pkg/package.json", "utf8"));
  p.name = "cmin-wasm";
  p.description = "CMIN video moment retrieval in the browser (WebGPU, CPU fallback)";
  p.keywords = ["video", "moment-retrieval", "webgpu", "wasm", "cmin"];
  // The worker and its page-side client ship beside cmin.js; the loader (a wasm-bindgen
  // snippet) and the default model, word vectors and parser that Cmin.load() fetches.
  p.files = [...new Set([...(p.files || []), "cmin-worker.js", "cmin-client.js", "cmin-client.d.ts", "snippets/", "assets/"])];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
'
cp www/package-readme.md pkg/README.md
cp www/cmin-worker.js www/cmin-client.js www/cmin-client.d.ts pkg/
rm -rf pkg/assets && cp -r www/assets pkg/assets
raw=$(stat -c %s pkg/cmin_bg.wasm)
gz=$(gzip -9 -c pkg/cmin_bg.wasm | wc -c)
echo "pkg/cmin_bg.wasm: $raw bytes raw, $gz bytes gzip -9"
