// The package's file cache as a careless server or a stale cache meets it, in headless
// Chromium (the full build):
//   - a body that is no model file (a dev server's HTML page answering 200) is not kept: once
//     the server serves the real file, the next load works without Cmin.clearCache();
//   - a cached copy whose SHA-256 is not the `integrity` given is fetched again, once;
//   - a malformed `integrity` is 'bad-options', not a DOMException;
//   - the package's own files are cached under URLs that carry its version;
//   - a body that says it is above the file limit (1 GiB) is refused before it is read.
//   node tests/browser/cache.mjs   (after scripts/build-pkg.sh)
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { serve, launch, gloveText, sharedDir, SMALL_CONFIG, pageResult, checker } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const weightsPath = path.join(sharedDir(), 'reference/small-weights.safetensors');
for (const f of [weightsPath, path.join(repo, 'pkg/cmin.js')]) {
  if (!fs.existsSync(f)) {
    console.error(`${f} is missing`);
    process.exit(1);
  }
}
const weights = fs.readFileSync(weightsPath);
const sri = `sha256-${crypto.createHash('sha256').update(weights).digest('base64')}`;
const version = JSON.parse(fs.readFileSync(path.join(repo, 'pkg/package.json'), 'utf8')).version;
const words = gloveText(['the', 'person', 'took', 'out', 'a', 'glass'], SMALL_CONFIG.word_dim);

const page = `<!doctype html><script type="module">
import init, { Cmin } from '/pkg/cmin.js';
const codeOf = async promise => { try { await promise; return 'no error'; } catch (e) { return typeof e.code === 'string' ? e.code : 'uncoded: ' + e.name + ' ' + e.message; } };
const base = { embeddings: '/fixtures/words.txt', parser: null, config: ${JSON.stringify(SMALL_CONFIG)}, backend: 'cpu' };
const out = {};
try {
  await init();
  await Cmin.clearCache();
  // The dev server answers HTML first, then the real file, at the same URL.
  out.html = await codeOf(Cmin.load({ ...base, weights: '/fixtures/flaky.safetensors' }));
  await fetch('/switch');
  out.afterHtml = await codeOf(Cmin.load({ ...base, weights: '/fixtures/flaky.safetensors' }));
  // A damaged cached copy with the right integrity given: fetched again, once.
  const cache = await caches.open('cmin-wasm');
  const url = new URL('/fixtures/weights.safetensors', location.href).href;
  await cache.put(url, new Response(new Uint8Array([1, 2, 3])));
  out.staleCache = await codeOf(Cmin.load({ ...base, weights: { url, integrity: '${sri}' } }));
  out.recached = (await (await cache.match(url)).arrayBuffer()).byteLength;
  // Malformed integrity strings.
  out.badIntegrity = await Promise.all(['sha256-a', 'sha256-AAAA', 'sha256-' + btoa('x'.repeat(16)), 'md5-abc', '']
    .map(integrity => codeOf(Cmin.load({ ...base, weights: { url, integrity }, cache: false }))));
  // A server that announces 2 GiB: refused on its Content-Length, before any byte is read.
  out.huge = await codeOf(Cmin.load({ ...base, weights: '/fixtures/huge.safetensors', cache: false }));
  // The package's own files: keyed by its version.
  await Cmin.load({ backend: 'cpu' });
  out.defaults = (await Cmin.cached()).filter(u => u.includes('/pkg/assets/'));
} catch (e) {
  out.error = String(e && e.message || e);
}
window.__result = out;
</script>`;

let flakyServesHtml = true;
const server = await serve(repo, {
  '/cache.html': Buffer.from(page),
  '/fixtures/weights.safetensors': weightsPath,
  '/fixtures/words.txt': Buffer.from(words),
});
// The flaky URL and its switch are answered here; everything else by the static server.
const flaky = Buffer.from('<!doctype html><title>dev server</title><p>not found, here is the app instead');
const origin = server.url;
const proxy = http.createServer((req, res) => {
  if (req.url === '/switch') {
    flakyServesHtml = false;
    res.end('ok');
    return;
  }
  if (req.url === '/fixtures/flaky.safetensors') {
    const body = flakyServesHtml ? flaky : weights;
    res.writeHead(200, { 'Content-Type': flakyServesHtml ? 'text/html' : 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  if (req.url === '/fixtures/huge.safetensors') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(2 ** 31) });
    res.write(Buffer.alloc(1024));
    // The body never comes: the page must give up on the header alone.
    req.socket.setTimeout(5000, () => req.socket.destroy());
    return;
  }
  fetch(origin + req.url).then(async r => {
    const body = Buffer.from(await r.arrayBuffer());
    res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  }, () => { res.writeHead(502); res.end(); });
});
await new Promise(resolve => proxy.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${proxy.address().port}`;

const browser = await launch({ webgpu: false });
const check = checker();
try {
  const r = await pageResult(browser, `${url}/cache.html`);
  check(!r.error, `no unexpected error (${r.error ?? 'none'})`);
  check(r.html === 'bad-weights', `an HTML page for the weights is bad-weights (${r.html})`);
  check(r.afterHtml === 'no error', `it was not kept: the real file loads next without clearCache (${r.afterHtml})`);
  check(r.staleCache === 'no error', `a cached copy that fails its integrity is fetched again (${r.staleCache})`);
  check(r.recached === weights.length, `and the good copy replaces it in the cache (${r.recached} bytes)`);
  check(r.badIntegrity?.every(c => c === 'bad-options'), `malformed integrity strings are bad-options (${r.badIntegrity})`);
  check(r.huge === 'too-large', `a file announced at 2 GiB is refused before it is read (${r.huge})`);
  check(r.defaults?.length === 3 && r.defaults.every(u => u.endsWith(`?v=${version}`)),
    `the package's own files are cached under versioned URLs (${r.defaults})`);
} finally {
  await browser.close();
  proxy.close();
  server.close();
}
console.log(`cache test: ${check.failed ? 'FAILED' : 'passed'} (${check.failed} failures)`);
process.exit(check.failed ? 1 : 0);
