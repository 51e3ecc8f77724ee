#!/usr/bin/env bash
# Builds the npm package `cmin-wasm` into pkg/ (wasm-pack, --target web): the full build
# (WebGPU and CPU backends) as pkg/cmin.js, the CPU-only build as pkg/cpu/cmin.js, and
# index.js, which loads one of them; renames it, adds the default assets, and prints each
# .wasm's size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh --wasm
# npm's binaryen (wasm-opt) for the optimisation pass below.
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund
cpu_out="$CMIN_WASM_TARGET_DIR/pkg-cpu"
# wasm-pack adds to an existing output folder: a snippet moved or renamed would linger there.
rm -rf "$cpu_out" pkg
CARGO_TARGET_DIR="$CMIN_WASM_TARGET_DIR" wasm-pack build --release --target web --out-dir "$cpu_out" --out-name cmin --no-default-features
CARGO_TARGET_DIR="$CMIN_WASM_TARGET_DIR" wasm-pack build --release --target web --out-dir pkg --out-name cmin --no-default-features --features wgpu
# One binaryen pass over each module (wasm-pack's own would download binaryen, and Debian's
# breaks the module): -O1 makes both smaller raw and gzipped (BENCHMARKS.md); the features are
# those rustc's wasm32 target emits, with SIMD from .cargo/config.toml.
for wasm in "$cpu_out"/cmin_bg.wasm pkg/cmin_bg.wasm; do
  node_modules/.bin/wasm-opt -O1 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types "$wasm" -o "$wasm"
done
rm -rf pkg/cpu && mkdir pkg/cpu
cp "$cpu_out"/cmin.js "$cpu_out"/cmin.d.ts "$cpu_out"/cmin_bg.wasm "$cpu_out"/cmin_bg.wasm.d.ts pkg/cpu/
# Both builds share one copy of the loader snippet (it finds the default assets relative to
# itself): the CPU build's imports of it point up to pkg/snippets/.
diff -r "$cpu_out/snippets" pkg/snippets
# wasm-bindgen writes both `import * as importN from "./snippets/..."` and
# `import { name } from './snippets/...'`; every form is redirected, and any left is an error.
sed -i "s#^\(import .* from [\"']\)\./snippets/#\1../snippets/#" pkg/cpu/cmin.js
if grep -q "^import .* from [\"']\./snippets/" pkg/cpu/cmin.js; then echo "pkg/cpu/cmin.js: a snippet import was not redirected" >&2; exit 1; fi
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("pkg/package.json", "utf8"));
  p.name = "cmin-wasm";
  p.description = "CMIN video moment retrieval in the browser (WebGPU, CPU fallback)";
  p.keywords = ["video", "moment-retrieval", "webgpu", "wasm", "cmin"];
  // index.js picks a build; the worker and its page-side client ship beside it; the loader
  // (a wasm-bindgen snippet) and the default model, word vectors and parser that Cmin.load()
  // fetches.
  p.main = "index.js";
  p.module = "index.js";
  p.types = "index.d.ts";
    p.files = [...new Set([...(p.files || []), "index.js", "index.d.ts", "cpu/", "cmin-worker.js", "cmin-client.js", "cmin-client.d.ts", "snippets", "assets/"])];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
'
cp www/package/package-readme.md pkg/README.md
cp www/package/{index.js,index.d.ts,cmin-worker.js,cmin-client.js,cmin-client.d.ts} pkg/
rm -rf pkg/assets && cp -r www/assets pkg/assets
for wasm in pkg/cmin_bg.wasm pkg/cpu/cmin_bg.wasm; do
  echo "$wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
done
