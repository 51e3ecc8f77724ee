// The consumer check: `npm pack` of pkg/, installed into a throwaway page that imports
// `cmin-wasm` by name, runs queries in headless Chromium: bytes, URLs with progress and the
// cache, the zero-argument load of the package's own model, and the error codes.
//   node tests/browser/consumer.mjs   (after scripts/build-pkg.sh)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, gloveText, sharedDir, SMALL_CONFIG } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const weights = path.join(sharedDir(), 'reference/small-weights.safetensors');
if (!fs.existsSync(weights)) {
  console.error(`${weights} is missing`);
  process.exit(1);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cmin-consumer-'));
const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: path.join(repo, 'pkg') }).toString().trim().split('\n').pop();
execFileSync('npm', ['init', '-y'], { cwd: work, stdio: 'ignore' });
execFileSync('npm', ['install', '--no-audit', '--no-fund', path.join(work, tgz)], { cwd: work, stdio: 'ignore' });
const installed = JSON.parse(fs.readFileSync(path.join(work, 'node_modules/cmin-wasm/package.json'), 'utf8'));
const words = ['the', 'person', 'took', 'out', 'a', 'glass'];
// The declarations: the whole API, as a TypeScript app uses it, under --strict.
fs.copyFileSync(path.join(repo, 'tests/browser/consumer.ts'), path.join(work, 'consumer.ts'));
let tscErrors = null;
try {
  execFileSync(path.join(repo, 'node_modules/.bin/tsc'), ['--strict', '--noEmit', '--target', 'es2022', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--lib', 'esnext,dom', 'consumer.ts'], { cwd: work, stdio: 'pipe' });
} catch (e) {
  tscErrors = `${e.stdout}${e.stderr}`.trim() || e.message;
}
fs.writeFileSync(path.join(work, 'index.html'), `<!doctype html>
<script type="importmap">{ "imports": { "cmin-wasm": "/node_modules/cmin-wasm/${installed.module || installed.main}" } }</script>
<script type="module">
import init, { Cmin, World } from 'cmin-wasm';
import * as entry from 'cmin-wasm';
const codeOf = async promise => { try { await promise; return 'no error'; } catch (e) { return e.code ?? 'no code: ' + e.message; } };
const config = ${JSON.stringify(SMALL_CONFIG)};
const parse = { tokens: ['The', 'person', 'took', 'out', 'a', 'glass', '.'],
  heads: [2, 3, 0, 3, 6, 3, 3], deprels: ['det', 'nsubj', 'root', 'compound:prt', 'det', 'obj', 'punct'] };
const urls = { weights: '/fixtures/weights.safetensors', embeddings: '/fixtures/words.txt' };
const features = new Float32Array(100 * 64).map((_, i) => Math.sin(i * 0.37));
try {
  const chosen = await init();
  const again = await init({ backend: 'webgpu' });
  const badInit = await codeOf(init({ backend: 'gpu' }));
  // Bytes the caller fetched itself.
  const [weights, embeddings] = await Promise.all(Object.values(urls).map(u => fetch(u).then(r => r.arrayBuffer())));
  const model = await Cmin.load({ weights, embeddings, parser: null, config, backend: 'cpu' });
  const video = model.encodeVideo(features, 100, 64, 50.0);
  const result = await model.localize(video, parse, { topK: 3 });
  const world = World.generate(11);

  // URLs: progress events, then the same files again from the cache.
  await Cmin.clearCache();
  const first = [], second = [];
  const fromUrls = await Cmin.load({ ...urls, parser: null, config, backend: 'cpu', onProgress: e => first.push(e) });
  await Cmin.load({ ...urls, parser: null, config, backend: 'cpu', onProgress: e => second.push(e) });
  const cached = await Cmin.cached();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', weights));
  const integrity = 'sha256-' + btoa(String.fromCharCode(...digest));
  const checked = await Cmin.load({ weights: { url: urls.weights, integrity }, embeddings: urls.embeddings, parser: null, config, backend: 'cpu' });

  // No arguments: the package's own model, word vectors and parser, answering text.
  const demo = await Cmin.load();
  const worldVideo = demo.encodeVideo(world.features(), world.steps, world.featureDim, world.duration);
  const asked = world.queries()[0];
  const answer = await demo.localize(worldVideo, asked.text, { topK: 1 });
  const top = answer.moments[0];
  const iou = Math.max(0, Math.min(top.end, asked.end) - Math.max(top.start, asked.start)) /
    (Math.max(top.end, asked.end) - Math.min(top.start, asked.start));

  const codes = {
    missing: await codeOf(Cmin.load({ ...urls, weights: '/fixtures/missing.safetensors', parser: null, config })),
    integrity: await codeOf(Cmin.load({ ...urls, weights: { url: urls.weights, integrity: 'sha256-' + btoa('x'.repeat(32)) }, parser: null, config })),
    abortedLoad: await codeOf(Cmin.load({ ...urls, parser: null, config, signal: AbortSignal.abort() })),
    abortedQuery: await codeOf(model.localize(video, parse, { signal: AbortSignal.abort() })),
    featureDim: await codeOf((async () => model.encodeVideo(new Float32Array(10), 5, 2, 1.0))()),
    otherModel: await codeOf(fromUrls.localize(video, parse)),
    freed: await codeOf((() => { const v = model.encodeVideo(features, 100, 64, 50.0); v.free(); return model.localize(v, parse); })()),
    badOptions: await codeOf(Cmin.load(42)),
  };
  window.__result = { chosen, again, build: entry.build, badInit, backend: model.backend, moments: result.moments, words: result.words, unknown: result.unknownWords,
    world: { steps: world.steps, query: world.queries()[2].text, features: world.features().length },
    first, second, cached, checked: checked.backend, demo: { device: demo.device, text: asked.text, iou, words: answer.words }, codes };
} catch (e) { window.__result = { error: String(e && e.message || e), code: e && e.code }; }
</script>`);
const server = await serve(work, { '/fixtures/weights.safetensors': weights, '/fixtures/words.txt': Buffer.from(gloveText(words, 48)) });
// WebGPU off: the zero-argument load's 'auto' falls back to the CPU.
const browser = await launch({ webgpu: false });
let failed = 0;
try {
  const page = await browser.newPage();
  page.on('console', m => console.log('  page:', m.text()));
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 180000 });
  const r = await page.evaluate(() => window.__result);
  const brief = { ...r, first: r.first?.length, second: r.second };
  console.log(`consumer page (${installed.name}@${installed.version}):`, JSON.stringify(brief));
  const check = (ok, what) => { if (!ok) { failed++; console.error(`FAILED: ${what}`); } };
  check(tscErrors === null, `tsc --strict --noEmit consumer.ts passes${tscErrors ? `:\n${tscErrors}` : ''}`);
  check(!r.error, `no error (${r.error})`);
  check(installed.name === 'cmin-wasm', 'package is named cmin-wasm');
  check(r.backend === 'cpu', 'cpu backend');
  // No WebGPU adapter: init() ('auto') takes the CPU-only build, and only its .wasm is fetched.
  check(r.chosen === 'cpu' && r.build === 'cpu', `init() without a WebGPU adapter loads the CPU-only build (${r.chosen}, ${r.build})`);
  check(r.again === 'cpu', `a later init answers with the build already loaded (${r.again})`);
  check(r.badInit === 'bad-options', `init with an unknown backend: error code ${r.badInit}, expected bad-options`);
  const wasmHits = [...server.hits].filter(([u]) => u.endsWith('.wasm'));
  check(wasmHits.length === 1 && wasmHits[0][0] === '/node_modules/cmin-wasm/cpu/cmin_bg.wasm' && wasmHits[0][1] === 1,
    `the page fetched the CPU-only .wasm once and nothing else (${wasmHits.join(' ')})`);
  check(r.moments && r.moments.length === 3, 'three moments');
  check(r.moments && r.moments.every(m => 0 <= m.start && m.start <= m.end && m.end <= 50), 'moments inside the video');
  check(JSON.stringify(r.words) === JSON.stringify(words), 'words lower-cased, punctuation dropped');
  check(r.world && r.world.steps === 96 && r.world.features === 96 * 64 && r.world.query === 'the green triangle shrinks',
    'World.generate(11) is exported and matches `cmin world --seed 11`');
  if (!r.error) {
    const statuses = file => r.first.filter(e => e.file === file).map(e => e.status);
    for (const file of ['weights', 'embeddings']) {
      const s = statuses(file);
      check(s[0] === 'initiate' && s.includes('progress') && s.at(-1) === 'done', `${file}: initiate, progress, done (${s})`);
    }
    check(r.first.at(-1).status === 'ready' && r.first.at(-1).backend === 'cpu', 'progress ends with ready');
    const done = r.first.find(e => e.file === 'weights' && e.status === 'done');
    check(done.loaded === fs.statSync(weights).size && done.total === done.loaded && !done.fromCache, 'weights: every byte counted, fetched');
    const again = r.second.filter(e => e.status === 'done');
    check(again.length === 2 && again.every(e => e.fromCache), 'the second load takes both files from the cache');
    // The page's own fetch and the first load ask for each file; the second load and the
    // integrity-checked one take the cache; a wrong integrity fetches the weights once more
    // (a cached copy that fails its integrity is fetched again before it is an error).
    check(server.hits.get('/fixtures/weights.safetensors') === 3 && server.hits.get('/fixtures/words.txt') === 2,
      `the second load and the integrity-checked load make no request; a wrong integrity refetches once (${[...server.hits].filter(([u]) => u.startsWith('/fixtures')).join(' ')})`);
    check(r.cached.length === 2 && r.cached.every(u => u.startsWith(server.url + '/fixtures/')), `Cmin.cached() lists the two URLs (${r.cached})`);
    check(r.checked === 'cpu', 'a matching SHA-256 loads');
    check(r.demo.device.backend === 'cpu' && r.demo.device.adapter === null && /WebGPU/.test(r.demo.device.fallbackReason),
      `Cmin.load() with no arguments: the device report says cpu and why (${JSON.stringify(r.demo.device)})`);
    check(r.demo.iou >= 0.5, `Cmin.load() with no arguments answers "${r.demo.text}" (IoU ${r.demo.iou.toFixed(2)})`);
    const expected = { missing: 'fetch-failed', integrity: 'integrity-mismatch', abortedLoad: 'aborted', abortedQuery: 'aborted',
      featureDim: 'feature-dim-mismatch', otherModel: 'video-mismatch', freed: 'video-freed', badOptions: 'bad-options' };
    for (const [what, code] of Object.entries(expected)) check(r.codes[what] === code, `${what}: error code ${r.codes[what]}, expected ${code}`);
  }
} finally {
  await browser.close();
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`consumer check: ${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
