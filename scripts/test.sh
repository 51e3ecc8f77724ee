#!/usr/bin/env bash
# The whole test suite. Installs what is missing, then runs:
#   1. native tests of every crate (CPU backend and wgpu on lavapipe; the query parser crate): cargo test
#   2. browser tests: wasm-pack test --headless --chrome (WebGPU via SwiftShader, and the CPU)
#   3. the npm package build and its consumer check (npm pack -> throwaway app: tsc --strict on
#      the whole API, then a page: URL loading with progress and the cache, error codes, queries)
#   4. the worker's protocol and the file cache (tests/browser/worker.mjs, cache.mjs), hostile values at every entry
#      point in both builds (tests/browser/hostile.mjs), and 10,000 malformed and hostile calls drawn at random
#      (tests/browser/fuzz.mjs)
#   5. the demo page end to end (tests/browser/page.mjs; screenshots in artifacts/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh --wasm
[ -d node_modules/playwright-core ] && [ -d node_modules/typescript ] && [ -d node_modules/binaryen ] || npm ci --no-audit --no-fund

echo "== native tests (at ${SECONDS} s)"
# Every crate but the parser: the model, the query pipeline, training, the world, the CLI, the
# kernels, and the package's own tests/.
cargo test --workspace --all-features --exclude cmin-parser
# The parser crate on its own: in the run above its dev-dependencies' features would unify
# into burn's dependency tree and rebuild all of it.
cargo test -p cmin-parser

echo "== browser tests (headless Chromium), the command the README gives (at ${SECONDS} s)"
# The shared cache comes from scripts/env.sh (CARGO_TARGET_DIR); the per-test timeout from
# .cargo/config.toml; WebGPU for Chromium from webdriver.json.
wasm-pack test --headless --chrome

echo "== npm package and consumer check (at ${SECONDS} s)"
bash scripts/build-pkg.sh
node tests/browser/consumer.mjs
node tests/browser/worker.mjs
node tests/browser/cache.mjs
node tests/browser/hostile.mjs
node tests/browser/fuzz.mjs
node tests/browser/long.mjs

echo "== demo page (headless Chromium, WebGPU on and off) (at ${SECONDS} s)"
node tests/browser/page.mjs
echo "== all passed (at ${SECONDS} s)"
