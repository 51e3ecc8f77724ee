// The page side of cmin-worker.js: every call is a promise; errors reject with an Error that
// carries the worker's `code`. Part of the package (pkg/cmin-client.js).
//
//   import { CminWorker } from 'cmin-wasm/cmin-client.js';
//   const cmin = new CminWorker();                      // starts pkg/cmin-worker.js
//   await cmin.load({ onProgress });                    // Cmin.load's options; { backend, fallbackReason, config, device }
//   const world = await cmin.world(11);                 // or: await cmin.video({ features, numClips, featureDim, duration })
//   const r = await cmin.localize('the red star is pushed by the purple circle', { signal });
//   r.moments; r.attention; r.parse; r.timings;         // as Cmin.localize
//   await cmin.long(5, 600);                            // a 10-minute world video, read in windows
//   await cmin.library([1, 2, 3]);                      // world videos to search at once
//   (await cmin.search('the red star spins')).moments;  // [{ video, videoId, start, end, score }]
export class CminWorker {
  constructor(url = new URL('./cmin-worker.js', import.meta.url)) {
    this.url = url;
    this.pending = new Map();
    this.next = 0;
    this.worker = null;
    this.#start();
  }

  // A worker that crashed or was terminated is replaced by a fresh one on the next call (its
  // model is gone: load again).
  #start() {
    if (this.worker) return this.worker;
    const worker = new Worker(this.url, { type: 'module' });
    worker.onmessage = ({ data }) => {
      const p = this.pending.get(data?.id);
      if (p && data.progress) {
        p.onProgress?.(data.progress);
        return;
      }
      if (p) {
        this.pending.delete(data.id);
        if (data.ok) p.resolve(data.value);
        else p.reject(coded(data.code, data.error));
      }
      if (data?.crashed) this.#fail('worker-crashed', `the worker crashed (${data.error}); the next call starts a new one`);
    };
    worker.onerror = e => this.#fail('worker-crashed', `the worker failed: ${e.message || 'could not start'}`);
    worker.onmessageerror = () => this.#fail('worker-crashed', 'the worker sent a message that could not be read');
    this.worker = worker;
    return worker;
  }

  // Ends the worker and rejects every pending call with `code`.
  #fail(code, message) {
    this.worker?.terminate();
    this.worker = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(coded(code, message));
  }

  // Each message is { id, type, args }: what a caller passes stays inside `args`, so it can
  // name neither the request nor its id. An aborted request rejects at once and tells the
  // worker, which cancels a load (the current model stays); the late reply is dropped.
  request(type, args = {}, options = {}) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      try {
        const { transfer = [], onProgress, signal } = readOptions(options, 'request');
        if (signal !== undefined && !(signal instanceof AbortSignal)) throw coded('bad-options', 'signal must be an AbortSignal');
        if (onProgress !== undefined && typeof onProgress !== 'function') throw coded('bad-options', 'onProgress must be a function');
        if (signal?.aborted) throw coded('aborted', `${nameOf(type)} was aborted`);
        const worker = this.#start();
        this.pending.set(id, { resolve, reject, onProgress });
        // A value that cannot be cloned (a function, a Proxy, a symbol) fails here, with a
        // DOMException whose numeric `code` is not ours.
        worker.postMessage({ id, type, args }, transfer);
        signal?.addEventListener('abort', () => {
          if (!this.pending.delete(id)) return;
          reject(coded('aborted', `${nameOf(type)} was aborted`));
          this.worker?.postMessage({ id: this.next++, type: 'abort', args: { request: id } });
        }, { once: true });
      } catch (e) {
        this.pending.delete(id);
        reject(typeof e?.code === 'string' ? e : coded('bad-options', `${nameOf(type)}: its arguments cannot be sent to the worker (${nameOf(e?.message ?? e)})`));
      }
    });
  }

  /** Cmin.load's options. URLs are resolved against the page, not the worker. */
  async load(options = {}) {
    const { onProgress, signal, ...rest } = readOptions(options, 'load');
    const files = {};
    for (const file of ['weights', 'embeddings', 'parser']) {
      if (file in rest) files[file] = await forWorker(rest[file]);
    }
    return this.request('load', { ...rest, ...files }, { onProgress, signal });
  }

  world(seed) { return this.request('world', { seed }); }
  long(seed, seconds) { return this.request('long', { seed, seconds }); }
  library(seeds) { return this.request('library', { seeds }); }
  async search(text, options = {}) {
    const { signal, ...rest } = readOptions(options, 'search');
    return this.request('search', { ...rest, text }, { signal });
  }
  video(video) { return this.request('video', video); }
  parse(text) { return this.request('parse', { text }); }
  async localize(text, options = {}) {
    const { signal, ...rest } = readOptions(options, 'localize');
    return this.request('localize', { ...rest, text }, { signal });
  }
  /** Ends the worker; every pending call rejects with code 'terminated'. */
  terminate() { this.#fail('terminated', 'the worker was terminated'); }
}

// The caller's options as a plain object, read once: a getter or Proxy that throws is a bad
// option, not an exception.
function readOptions(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw coded('bad-options', `${what}'s options must be an object`);
  try {
    return { ...options };
  } catch (e) {
    throw coded('bad-options', `${what}'s options could not be read (${e?.message ?? e})`);
  }
}

// A caller's value as text for a message (a symbol has no implicit conversion).
function nameOf(value) {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

function coded(code, message) {
  return Object.assign(new Error(message), { name: 'CminError', code: code || 'internal' });
}

// A file source as something postMessage can carry: URLs as absolute strings, a Response as
// its bytes.
async function forWorker(source) {
  try {
    return await forWorkerUnchecked(source);
  } catch (e) {
    throw typeof e?.code === 'string' ? e : coded('bad-options', `a file could not be read (${e?.message ?? e})`);
  }
}

async function forWorkerUnchecked(source) {
  const absolute = url => {
    try {
      return new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href).href;
    } catch {
      throw coded('bad-options', `${JSON.stringify(String(url))} is not a URL`);
    }
  };
  if (typeof source === 'string' || source instanceof URL) return absolute(source);
  if (source && typeof source === 'object' && (typeof source.url === 'string' || source.url instanceof URL)) {
    return { ...source, url: absolute(source.url) };
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return source.arrayBuffer();
  return source;
}

/** Reads a .npy file (float32 or float64, C order, 2-D [clips, dim]); throws with the reason. */
export function readNpy(buffer) {
  try {
    // Anything else would be copied element by element (an array of 2^32 holes, a Proxy).
    if (!(buffer instanceof ArrayBuffer) && !ArrayBuffer.isView(buffer)) {
      throw coded('bad-options', 'readNpy takes the ArrayBuffer of a .npy file');
    }
    return readNpyUnchecked(buffer);
  } catch (e) {
    throw typeof e?.code === 'string' ? e : coded('bad-file', `not a readable .npy buffer (${e?.message ?? e})`);
  }
}

function readNpyUnchecked(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw coded('bad-file', 'not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(buffer instanceof ArrayBuffer ? buffer : bytes.buffer, bytes.byteOffset);
  const headerLength = major >= 2 ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = major >= 2 ? 12 : 10;
  if (start + headerLength > bytes.length) throw coded('bad-file', '.npy header runs past the end of the file');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shape === undefined) throw coded('bad-file', '.npy header is malformed');
  if (fortran === 'True') throw coded('bad-file', '.npy in Fortran order is not supported: save it C-contiguous');
  const dims = shape.split(',').map(s => s.trim()).filter(Boolean).map(Number);
  if (dims.length !== 2 || dims.some(d => !Number.isInteger(d) || d <= 0)) {
    throw coded('bad-file', `.npy must be 2-D [clips, feature_dim], got shape (${shape})`);
  }
  const [clips, dim] = dims;
  const width = { '<f4': 4, '<f8': 8 }[descr];
  if (!width) throw coded('bad-file', `.npy dtype ${descr} is not supported: use float32 or float64`);
  const offset = start + headerLength;
  if (bytes.length - offset !== clips * dim * width) {
    throw coded('bad-file', `.npy holds ${bytes.length - offset} data bytes, expected ${clips * dim * width} for [${clips}, ${dim}]`);
  }
  const data = bytes.slice(offset).buffer;
  const values = width === 4 ? new Float32Array(data) : Float32Array.from(new Float64Array(data));
  return { features: values, numClips: clips, featureDim: dim };
}
