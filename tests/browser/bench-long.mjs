// Browser figures for long videos and libraries (BENCHMARKS.md): with the package's world
// model in headless Chromium, the time to encode a long world video (windows at the model's
// second a clip), a warm text query on it, and a warm search across a library of world videos
// (medians). On the CPU build and on WebGPU (SwiftShader: dispatch overhead, not GPU speed).
//   node tests/browser/bench-long.mjs [cpu|webgpu ...]   (after scripts/build-pkg.sh)
import path from 'node:path';
import { serve, launch, pageResult } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const page = backend => `<!doctype html><script type="module">
import init, { Cmin, World } from '/pkg/index.js';
const median = xs => xs.sort((a, b) => a - b)[xs.length >> 1];
const time = async (f, n) => { const t = []; for (let i = 0; i < n; i++) { const s = performance.now(); await f(); t.push(performance.now() - s); } return median(t); };
try {
  await init({ backend: '${backend}' });
  const model = await Cmin.load({ backend: '${backend}', cache: false });
  const out = { backend: model.backend };
  for (const minutes of [10, 30]) {
    const w = World.generateLong(7, minutes * 60);
    const features = w.features();
    const encode = () => model.encodeVideo(features, w.steps, w.featureDim, w.duration);
    encode().free();
    out['encode' + minutes] = await time(() => encode().free(), 5);
    const video = encode();
    out['windows' + minutes] = video.windows;
    const text = w.queries()[0].text;
    for (let i = 0, s = performance.now(); i < 5 || performance.now() - s < 1000; i++) await model.localize(video, text);
    out['query' + minutes] = await time(() => model.localize(video, text), 20);
    video.free();
    w.free();
  }
  const worlds = Array.from({ length: 100 }, (_, i) => World.generate(900 + i));
  const start = performance.now();
  const library = worlds.map(w => model.encodeVideo(w.features(), w.steps, w.featureDim, w.duration));
  out.encodeLibrary = performance.now() - start;
  const text = worlds[0].queries()[0].text;
  for (let i = 0, s = performance.now(); i < 5 || performance.now() - s < 1000; i++) await model.search(library, text);
  out.search = await time(() => model.search(library, text, { topK: 10 }), 20);
  window.__result = out;
} catch (e) { window.__result = { error: String(e && e.message || e) }; }
</script>`;

const backends = process.argv.slice(2).filter(a => a === 'cpu' || a === 'webgpu');
const browser = await launch({ webgpu: true });
try {
  for (const backend of backends.length ? backends : ['cpu', 'webgpu']) {
    const server = await serve(repo, { '/bench-long.html': Buffer.from(page(backend)) });
    const r = await pageResult(browser, `${server.url}/bench-long.html`, 900000);
    server.close();
    if (r.error) throw new Error(`${backend}: ${r.error}`);
    const f = x => x.toFixed(1).padStart(7);
    console.log(`${r.backend.padEnd(7)} 10 min (${r.windows10} windows): encode ${f(r.encode10)} ms, warm query ${f(r.query10)} ms | ` +
      `30 min (${r.windows30} windows): encode ${f(r.encode30)} ms, warm query ${f(r.query30)} ms | ` +
      `100 videos: encode ${f(r.encodeLibrary)} ms, warm search ${f(r.search)} ms`);
  }
} finally {
  await browser.close();
}
