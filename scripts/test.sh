#!/usr/bin/env bash
# The whole test suite. Installs what is missing, then runs:
#   1. native tests (CPU backend and wgpu on lavapipe; the query parser crate): cargo test
#   2. browser tests (wasm-bindgen-test in headless Chromium; WebGPU via SwiftShader and CPU)
#   3. the npm package build and its consumer check (npm pack -> throwaway app: tsc --strict on
#      the whole API, then a page: URL loading with progress and the cache, error codes, queries)
#   4. malformed calls at every entry point of the package (tests/browser/fuzz.mjs)
#   5. the demo page end to end (tests/browser/page.mjs; screenshots in artifacts/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh --wasm
[ -d node_modules/playwright-core ] && [ -d node_modules/typescript ] || npm ci --no-audit --no-fund

echo "== native tests"
cargo test --all-features
# The parser crate on its own: a --workspace run would unify its dev-dependencies' features
# into burn's dependency tree and rebuild all of it.
cargo test -p cmin-parser
cargo test -p cmin-kernels

echo "== browser tests (headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=/usr/bin/chromedriver \
WASM_BINDGEN_TEST_TIMEOUT=600 \
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json" \
CARGO_PROFILE_DEV_DEBUG=0 \
CARGO_TARGET_DIR="$CMIN_WASM_TARGET_DIR" \
  cargo test --target wasm32-unknown-unknown --tests

echo "== npm package and consumer check"
bash scripts/build-pkg.sh
node tests/browser/consumer.mjs
node tests/browser/fuzz.mjs

echo "== demo page (headless Chromium, WebGPU on and off)"
node tests/browser/page.mjs
