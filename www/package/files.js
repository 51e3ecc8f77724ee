// How `Cmin.load` gets its files. Bytes are taken as given; URLs are fetched in parallel with
// progress and checked against an optional SHA-256. A body fetched from the network is kept
// in the Cache API (keyed by URL) only once the model has read every file (`keepFetched`), so
// a wrong answer (a dev server's HTML page) is never kept. The package's own files carry its
// version in their URLs, so an upgraded package never serves an older one's cached files.
// The wasm module imports this file (a wasm-bindgen snippet), so it runs wherever the module
// runs: the page or the package's worker.

// The package's own assets sit in pkg/assets/; wasm-bindgen places this file in
// pkg/snippets/<crate>/www/package/. Should that depth change, the default files are not found and
// the consumer check's zero-argument load and the page test fail.
const PACKAGE_ROOT = new URL('../../../../', import.meta.url);
const DEFAULT_FILES = {
  weights: 'assets/cmin-world.safetensors',
  embeddings: 'assets/glove-6b-50d-30k.safetensors',
  parser: 'assets/parser-en-ewt.safetensors',
};
const DEFAULT_CACHE = 'cmin-wasm';
// The largest file, set by the module (its MAX_FILE_BYTES) on each load.
const limits = { maxBytes: 2 ** 30 };

/** An `Error` with a stable `code` (listed in the README and the .d.ts). */
export function coded(code, message, cause) {
  const error = new Error(message, cause ? { cause } : undefined);
  error.name = 'CminError';
  error.code = code;
  return error;
}

/** The package's default URL of each file, with the package's version as a query. */
export function defaultUrls(version) {
  return Object.fromEntries(Object.entries(DEFAULT_FILES).map(([k, v]) => {
    const url = new URL(v, PACKAGE_ROOT);
    if (version) url.searchParams.set('v', version);
    return [k, url.href];
  }));
}

function report(onProgress, event) {
  if (typeof onProgress !== 'function') return;
  try {
    onProgress(event);
  } catch (e) {
    // A failing progress callback must not fail the load.
    console.warn('cmin-wasm: onProgress threw', e);
  }
}

function abortError(signal) {
  return coded('aborted', `loading was aborted${signal?.reason ? `: ${signal.reason}` : ''}`);
}

function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

// A file's source as { url, integrity } or { bytes } or { response } or { blob }.
function sourceOf(name, value) {
  const bytes = bytesOf(value);
  if (bytes) return { bytes };
  if (typeof value === 'string' || value instanceof URL) return { url: absolute(value) };
  if (typeof Response !== 'undefined' && value instanceof Response) return { response: value };
  if (typeof Blob !== 'undefined' && value instanceof Blob) return { blob: value };
  if (value && typeof value === 'object' && (typeof value.url === 'string' || value.url instanceof URL)) {
    if (value.integrity !== undefined && typeof value.integrity !== 'string') {
      throw coded('bad-options', `${name}.integrity must be a string such as 'sha256-<base64>'`);
    }
    return { url: absolute(value.url), integrity: value.integrity };
  }
  throw coded('bad-options', `${name} must be a URL, a Response, a Blob, an ArrayBuffer, a Uint8Array or { url, integrity }`);
}

function absolute(url) {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    throw coded('bad-options', `${JSON.stringify(String(url))} is not a URL`);
  }
}

// 'sha256-<base64>' (as in Subresource Integrity) or 64 hex digits: 32 bytes either way.
function expectedDigest(integrity) {
  const bad = () => coded('bad-options',
    `integrity ${JSON.stringify(integrity)} is neither 'sha256-<base64 of 32 bytes>' nor 64 hex digits`);
  const sri = /^sha256-([A-Za-z0-9+/]+={0,2})$/.exec(integrity);
  let digest = null;
  if (sri) {
    try {
      digest = Uint8Array.from(atob(sri[1]), c => c.charCodeAt(0));
    } catch {
      throw bad(); // atob's DOMException carries a numeric `code` of its own
    }
  } else if (/^[0-9a-fA-F]{64}$/.test(integrity)) {
    digest = Uint8Array.from(integrity.match(/../g), h => parseInt(h, 16));
  }
  if (!digest || digest.length !== 32) throw bad();
  return digest;
}

// Our errors carry a string code; a DOMException's numeric one is not ours.
const isCoded = e => typeof e?.code === 'string';

async function checkIntegrity(url, bytes, integrity, fromCache) {
  if (integrity === undefined) return;
  const expected = expectedDigest(integrity);
  if (!globalThis.crypto?.subtle) {
    throw coded('bad-options', 'integrity needs crypto.subtle, which only a secure context (https, localhost) has');
  }
  const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  if (expected.length !== actual.length || expected.some((b, i) => b !== actual[i])) {
    const hex = [...actual].map(b => b.toString(16).padStart(2, '0')).join('');
    const where = fromCache ? ' (the cached copy; Cmin.clearCache() removes it)' : '';
    throw coded('integrity-mismatch', `${url}${where}: SHA-256 is ${hex}, not ${integrity}`);
  }
}

function tooLarge(file, bytes) {
  return coded('too-large', `${file} is ${bytes} bytes, above the limit of ${limits.maxBytes}`);
}

// Reads a response's body, reporting progress as it arrives; a body above the size limit is
// refused as soon as its length is known or its bytes pass the limit.
async function readBody(response, file, url, onProgress, signal) {
  const total = Number(response.headers.get('content-length')) || 0;
  if (total > limits.maxBytes) throw tooLarge(file, total);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > limits.maxBytes) throw tooLarge(file, bytes.length);
    report(onProgress, { file, url, status: 'progress', loaded: bytes.length, total: total || bytes.length, progress: 100 });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    if (signal?.aborted) {
      reader.cancel().catch(() => {});
      throw abortError(signal);
    }
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (loaded > limits.maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(file, loaded);
    }
    report(onProgress, { file, url, status: 'progress', loaded, total, progress: total ? (100 * loaded) / total : null });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

async function openCache(options) {
  if (options.cache === false || typeof caches === 'undefined') return null;
  try {
    return await caches.open(options.cacheName ?? DEFAULT_CACHE);
  } catch {
    return null; // e.g. an opaque origin: load without a cache rather than fail
  }
}

async function download(file, url, onProgress, signal) {
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) throw coded('fetch-failed', `${file}: ${url} answered HTTP ${response.status}`);
    return await readBody(response, file, url, onProgress, signal);
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    if (isCoded(e)) throw e;
    throw coded('fetch-failed', `${file}: fetching ${url} failed (${e.message})`, e);
  }
}

// Returns the file's bytes and, for a body fresh from the network, what to keep in the cache.
async function fetchOne(file, source, cache, { onProgress, signal }) {
  const url = source.url ?? source.response?.url ?? null;
  report(onProgress, { file, url, status: 'initiate' });
  let bytes;
  let fromCache = false;
  if (source.bytes) {
    bytes = source.bytes;
  } else if (source.blob) {
    if (source.blob.size > limits.maxBytes) throw tooLarge(file, source.blob.size);
    bytes = new Uint8Array(await source.blob.arrayBuffer());
  } else if (source.response) {
    if (!source.response.ok) throw coded('fetch-failed', `${file}: the Response has HTTP status ${source.response.status}`);
    bytes = await readBody(source.response, file, url, onProgress, signal);
  } else {
    if (source.integrity !== undefined) expectedDigest(source.integrity);
    const hit = cache ? await cache.match(url) : undefined;
    if (hit) {
      bytes = new Uint8Array(await hit.arrayBuffer());
      fromCache = true;
      try {
        await checkIntegrity(url, bytes, source.integrity, true);
      } catch (e) {
        if (e.code !== 'integrity-mismatch') throw e;
        // A stale or damaged cached copy: fetch the file once more. The copy is replaced
        // once the new one passes and is read; a new one that fails leaves it alone.
        fromCache = false;
      }
    }
    if (!fromCache) {
      bytes = await download(file, url, onProgress, signal);
      await checkIntegrity(url, bytes, source.integrity, false);
    }
  }
  report(onProgress, { file, url, status: 'done', loaded: bytes.length, total: bytes.length, fromCache });
  const keep = cache && url && source.url && !fromCache ? { url, bytes } : null;
  return { bytes, keep };
}

/** Keeps the network bodies of a `fetchFiles` result in the cache: call once they were read. */
export async function keepFetched(fetched) {
  const { cache, keep } = fetched?.toKeep ?? {};
  if (!cache) return;
  for (const { url, bytes } of keep) {
    // A full quota must not fail the load: the file is only not kept.
    await cache.put(url, new Response(bytes, { headers: { 'content-length': String(bytes.length) } })).catch(() => {});
  }
}

/**
 * Resolves `Cmin.load`'s options to bytes: `{ weights, embeddings, parser }` as Uint8Arrays
 * (`parser` is null when the caller passed `parser: null`), and `toKeep` for `keepFetched`. A
 * file not given is the package's default (of package `version`).
 */
export async function fetchFiles(options, version, maxBytes) {
  limits.maxBytes = maxBytes;
  const { onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw coded('bad-options', 'onProgress must be a function');
  if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
    throw coded('bad-options', 'signal must be an AbortSignal');
  }
  if (options.cacheName !== undefined && typeof options.cacheName !== 'string') throw coded('bad-options', 'cacheName must be a string');
  if (signal?.aborted) throw abortError(signal);
  const defaults = defaultUrls(version);
  const wanted = [];
  for (const file of ['weights', 'embeddings', 'parser']) {
    const value = options[file];
    if (value === null && file === 'parser') continue;
    if (value === null) throw coded('bad-options', `${file} cannot be null: leave it out for the package's default`);
    wanted.push([file, sourceOf(file, value === undefined ? defaults[file] : value)]);
  }
  const cache = wanted.some(([, s]) => s.url) ? await openCache(options) : null;
  const files = await Promise.all(wanted.map(([file, source]) => fetchOne(file, source, cache, options).catch(e => {
    if (isCoded(e)) throw e;
    throw coded('fetch-failed', `${file}: reading it failed (${e?.message ?? e})`, e);
  })));
  const out = { weights: null, embeddings: null, parser: null };
  wanted.forEach(([file], i) => (out[file] = files[i].bytes));
  out.toKeep = { cache, keep: files.map(f => f.keep).filter(Boolean) };
  return out;
}

export function reportProgress(onProgress, event) {
  report(onProgress, event);
}

function cacheNameOf(cacheName) {
  if (cacheName !== undefined && cacheName !== null && typeof cacheName !== 'string') {
    throw coded('bad-options', 'the cache name must be a string');
  }
  return cacheName ?? DEFAULT_CACHE;
}

/** The URLs held in the cache (default name 'cmin-wasm'). */
export async function cachedUrls(cacheName) {
  const name = cacheNameOf(cacheName);
  if (typeof caches === 'undefined') return [];
  if (!(await caches.has(name))) return [];
  const cache = await caches.open(name);
  return (await cache.keys()).map(request => request.url);
}

/** Deletes the cache; true when there was one. */
export async function clearCache(cacheName) {
  const name = cacheNameOf(cacheName);
  if (typeof caches === 'undefined') return false;
  return caches.delete(name);
}

/**
 * What the page can learn of the WebGPU adapter, so an app can tell a real GPU from a
 * software one; null without WebGPU.
 */
export async function describeAdapter() {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const l = adapter.limits;
    return {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
      limits: {
        maxBufferSize: l.maxBufferSize,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      },
    };
  } catch {
    return null;
  }
}
