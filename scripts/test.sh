#!/usr/bin/env bash
# The whole test suite. Installs what is missing, then runs:
#   1. native tests of every crate (CPU backend and wgpu on lavapipe; the query parser crate): cargo test,
#      while the npm package builds beside them
#   2. browser tests: wasm-pack test --headless --chrome (WebGPU via SwiftShader, and the CPU)
#   3. the npm package's consumer check (npm pack -> throwaway app: tsc --strict on
#      the whole API, then a page: URL loading with progress and the cache, error codes, queries)
#   4. the worker's protocol and the file cache (tests/browser/worker.mjs, cache.mjs), hostile values at every entry
#      point in both builds (tests/browser/hostile.mjs), and 10,000 malformed and hostile calls drawn at random
#      (tests/browser/fuzz.mjs)
#   5. the demo page end to end (tests/browser/page.mjs; screenshots in artifacts/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh

# The npm package's two release builds (and the tools they need, on a fresh machine) run beside
# the native tests: each build alone leaves a core idle for much of its time (long chains of
# crates that wait on one another, single-threaded link-time optimisation), and they use their
# own target directory, so neither waits on the other's lock. Its log is printed when it ends.
pkg_log="$(mktemp)"
# setsid: its own process group, so an early exit stops the whole build, not just its shell.
setsid bash -c 'bash scripts/setup.sh --wasm && bash scripts/build-pkg.sh' >"$pkg_log" 2>&1 &
pkg_pid=$!
trap 'kill -- "-$pkg_pid" 2>/dev/null || true; rm -f "$pkg_log"' EXIT
[ -d node_modules/playwright-core ] && [ -d node_modules/typescript ] || npm ci --no-audit --no-fund

echo "== native tests (at ${SECONDS} s)"
# Every crate but the parser: the model, the query pipeline, training, the world, the CLI, the
# kernels, and the package's own tests/.
cargo test --workspace --all-features --exclude cmin-parser
# The parser crate on its own: in the run above its dev-dependencies' features would unify
# into burn's dependency tree and rebuild all of it.
cargo test -p cmin-parser

echo "== npm package build, started beside the native tests (at ${SECONDS} s)"
status=0
wait "$pkg_pid" || status=$?
cat "$pkg_log"
[ "$status" -eq 0 ] || { echo "the package build failed (exit $status)" >&2; exit "$status"; }

echo "== browser tests (headless Chromium), the command the README gives (at ${SECONDS} s)"
# The shared cache comes from scripts/env.sh (CARGO_TARGET_DIR); the per-test timeout from
# .cargo/config.toml; WebGPU for Chromium from webdriver.json.
wasm-pack test --headless --chrome

echo "== npm consumer check, worker, cache, hostile values, fuzzing, long videos (at ${SECONDS} s)"
node tests/browser/consumer.mjs
node tests/browser/worker.mjs
node tests/browser/cache.mjs
node tests/browser/hostile.mjs
node tests/browser/fuzz.mjs
node tests/browser/long.mjs

echo "== demo page (headless Chromium, WebGPU on and off) (at ${SECONDS} s)"
node tests/browser/page.mjs
echo "== all passed (at ${SECONDS} s)"
