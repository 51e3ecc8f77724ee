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

// A call on a handle after its free() would reach wasm-bindgen's null-pointer check, which
// throws an Error without a code out of wasm. The handles' methods are wrapped once per build
// so that such a call gets a coded error here, before any wasm runs; `free()` itself becomes
// idempotent. Only the public `free()` is relied on, not wasm-bindgen's internals.
const freed = new WeakSet();

function freedError(kind, name) {
  return Object.assign(new Error(`${kind}.${String(name)}: this ${kind} was freed (free() was called on it)`),
    { name: 'CminError', code: `${kind.toLowerCase()}-freed` });
}

function guardFreed(kind, prototype) {
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
    // wasm-bindgen's own helpers (`__destroy_into_raw`) stay as they are: free() calls them.
    if (name === 'constructor' || name.startsWith('__')) continue;
    if (name === 'free') {
      prototype.free = function free() {
        if (freed.has(this)) return;
        d.value.call(this);
        freed.add(this);
      };
      continue;
    }
    const promised = name === 'localize' || name === 'search';
    const wrap = f => function (...args) {
      if (freed.has(this)) {
        if (promised) return Promise.reject(freedError(kind, name));
        throw freedError(kind, name);
      }
      return f.apply(this, args);
    };
    const guarded = 'value' in d ? { value: wrap(d.value) } : { get: d.get && wrap(d.get), set: d.set && wrap(d.set) };
    Object.defineProperty(prototype, name, { ...d, ...guarded });
  }
}

function bind(module, name) {
  for (const kind of ['Cmin', 'Parser', 'Video', 'World']) guardFreed(kind, module[kind].prototype);
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
  let backend, moduleOrPath;
  try {
    // Read once: a getter or Proxy that throws is a bad option, not an exception.
    ({ backend = 'auto', module_or_path: moduleOrPath } = options);
  } catch (e) {
    return Promise.reject(bad(`init's options could not be read: ${e?.message ?? e}`));
  }
  if (!['auto', 'webgpu', 'cpu'].includes(backend)) {
    return Promise.reject(bad(`backend must be 'auto', 'webgpu' or 'cpu', got ${typeof backend === 'string' ? JSON.stringify(backend) : typeof backend}`));
  }
  pending ??= (async () => {
    const name = backend === 'cpu' || (backend === 'auto' && !(await webgpuAdapterOffered())) ? 'cpu' : 'webgpu';
    try {
      const wasm = wasmFor(moduleOrPath, name);
      await (name === 'cpu' ? initCpu : initFull)(wasm === undefined ? undefined : { module_or_path: wasm });
    } catch (e) {
      throw Object.assign(new Error(`init: the ${name} build's module could not be loaded: ${e?.message ?? e}`, { cause: e }),
        { name: 'CminError', code: 'init-failed' });
    }
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
