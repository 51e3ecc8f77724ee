// The package's entry point. cmin-wasm ships one API in two builds: cmin.js with the WebGPU and
// CPU backends, and cpu/cmin.js with the CPU backend alone, a fraction of the download (the
// GPU runtime and its shader compiler are most of the full build). init() fetches one of them;
// the classes exported here are that build's, bound once init resolves.
import initFull, * as full from './cmin.js';
import initCpu, * as cpu from './cpu/cmin.js';

export let Cmin, Parser, Video, World, start;

/** 'webgpu' or 'cpu': the build init() loaded; null before. */
export let build = null;

let pending = null;

function bind(module, name) {
  ({ Cmin, Parser, Video, World, start } = module);
  build = name;
  return name;
}

async function webgpuAdapterOffered() {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

function bad(message) {
  return Object.assign(new Error(message), { name: 'CminError', code: 'bad-options' });
}

// `module_or_path` may name one file for the build that is chosen, or one per build.
function wasmFor(moduleOrPath, name) {
  if (moduleOrPath && Object.getPrototypeOf(moduleOrPath) === Object.prototype && ('webgpu' in moduleOrPath || 'cpu' in moduleOrPath)) {
    return moduleOrPath[name];
  }
  return moduleOrPath;
}

/**
 * Loads one build: `backend` 'cpu' takes the CPU-only build; 'webgpu' the full one; 'auto' (the
 * default) the full one where the browser offers a WebGPU adapter, else the CPU-only one.
 * `module_or_path`: where the .wasm is, for apps that host it elsewhere (a URL, Response or
 * WebAssembly.Module), or `{ webgpu, cpu }` for both. Later calls return the first call's answer.
 */
export default function init(options = {}) {
  if (options === null || typeof options !== 'object') {
    return Promise.reject(bad('init takes an options object: { backend, module_or_path }'));
  }
  const backend = options.backend ?? 'auto';
  if (!['auto', 'webgpu', 'cpu'].includes(backend)) {
    return Promise.reject(bad(`backend must be 'auto', 'webgpu' or 'cpu', got ${JSON.stringify(backend)}`));
  }
  pending ??= (async () => {
    const name = backend === 'cpu' || (backend === 'auto' && !(await webgpuAdapterOffered())) ? 'cpu' : 'webgpu';
    const wasm = wasmFor(options.module_or_path, name);
    await (name === 'cpu' ? initCpu : initFull)(wasm === undefined ? undefined : { module_or_path: wasm });
    return bind(name === 'cpu' ? cpu : full, name);
  })();
  pending.catch(() => { pending = null; });
  return pending;
}

/** Synchronous init of the full build from an already fetched module (as wasm-bindgen's initSync). */
export function initSync(module) {
  if (build) return build;
  full.initSync(module);
  return bind(full, 'webgpu');
}
