# Sourced by the scripts: shared build cache and a quiet software-Vulkan runtime.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cmin-target}"
# WebAssembly builds get their own cache so native and wasm builds can run side by side.
export CMIN_WASM_TARGET_DIR="${CMIN_WASM_TARGET_DIR:-$HOME/.cache/cmin-target-wasm}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/cmin-xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
