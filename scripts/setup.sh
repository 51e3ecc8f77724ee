#!/usr/bin/env bash
# Installs what the build and tests need, idempotently: safe to run on every invocation.
#   setup.sh          native build and tests (software Vulkan for the wgpu tests)
#   setup.sh --wasm   also the WebAssembly toolchain and headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_packages=(mesa-vulkan-drivers)
[ "${1:-}" = "--wasm" ] && apt_packages+=(chromium chromium-driver)
missing=()
for p in "${apt_packages[@]}"; do have_pkg "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo (rustup) is required" >&2; exit 1; }
[ "${1:-}" = "--wasm" ] || exit 0

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The CLI must match the wasm-bindgen crate version in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want"
  cargo install -q wasm-bindgen-cli --version "$want"
fi
command -v wasm-pack >/dev/null || { echo "setup: installing wasm-pack"; cargo install -q wasm-pack; }
command -v node >/dev/null || { echo "setup: node and npm are required" >&2; exit 1; }
