// Browser figures for BENCHMARKS.md: load+init time and warm per-query latency (median of
// 20) of the built package in headless Chromium, on the CPU backend and on WebGPU
// (SwiftShader: a CPU pretending to be a GPU, so a correctness path, not a speed claim).
//   node tests/browser/bench.mjs [small|tacos|world ...] [cpu|webgpu ...]   (after scripts/build-pkg.sh)
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, gloveText, sharedDir, SMALL_CONFIG } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const MODELS = {
  small: { config: SMALL_CONFIG, clips: 64, dim: 64, wordDim: 48 },
  tacos: { config: {}, clips: 200, dim: 500, wordDim: 300 }, // reference_tacos
  // The demo's default model (48 clips, d = 128); its file carries its config.
  world: { config: undefined, clips: 48, dim: 64, wordDim: 50, weights: 'www/assets/cmin-world.safetensors' },
};
const words = ['the', 'person', 'takes', 'a', 'knife', 'out', 'of', 'the', 'drawer', 'and', 'cuts', 'bread'];
const heads = [2, 3, 0, 5, 3, 9, 9, 9, 3, 11, 3, 11];
const deprels = ['det', 'nsubj', 'root', 'det', 'obj', 'case', 'case', 'det', 'obl', 'cc', 'conj', 'obj'];

const page = (name, spec, backend) => `<!doctype html><script type="module">
import init, { Cmin } from '/pkg/cmin.js';
try {
  const t0 = performance.now();
  await init();
  const [weights, embeddings] = await Promise.all(['/fixtures/${name}-weights.safetensors', '/fixtures/words.txt']
    .map(u => fetch(u).then(r => r.arrayBuffer())));
  const t1 = performance.now();
  const model = await Cmin.load({ weights, embeddings, config: ${JSON.stringify(spec.config) ?? 'undefined'}, backend: '${backend}' });
  const video = model.encodeVideo(new Float32Array(${spec.clips * spec.dim}).map((_, i) => Math.sin(i * 0.1)), ${spec.clips}, ${spec.dim}, 120);
  const query = { tokens: ${JSON.stringify(words)}, heads: ${JSON.stringify(heads)}, deprels: ${JSON.stringify(deprels)} };
  const first = performance.now();
  await model.localize(video, query);
  const firstQuery = performance.now() - first;
  // Warm-up: at least 10 queries and a second, so that the engine's optimising compiler has
  // replaced the baseline code of the module's hot functions (it does so in the background).
  for (let i = 0, start = performance.now(); i < 10 || performance.now() - start < 1000; i++) await model.localize(video, query);
  const times = [];
  for (let i = 0; i < 20; i++) { const s = performance.now(); await model.localize(video, query); times.push(performance.now() - s); }
  times.sort((a, b) => a - b);
  window.__result = { backend: model.backend, fetchMs: t1 - t0, loadInitMs: (t1 - t0) + (first - t1), firstQueryMs: firstQuery, medianMs: times[10], minMs: times[0], maxMs: times[19] };
} catch (e) { window.__result = { error: String(e && e.message || e) }; }
</script>`;

const wanted = process.argv.slice(2).filter(a => MODELS[a]);
const backends = process.argv.slice(2).filter(a => a === 'cpu' || a === 'webgpu');
const browser = await launch({ webgpu: true });
try {
  for (const name of wanted.length ? wanted : ['small', 'tacos', 'world']) {
    const spec = MODELS[name];
    for (const backend of backends.length ? backends : ['cpu', 'webgpu']) {
      const server = await serve(repo, {
        '/bench.html': Buffer.from(page(name, spec, backend)),
        [`/fixtures/${name}-weights.safetensors`]: spec.weights
          ? path.join(repo, spec.weights)
          : path.join(sharedDir(), `reference/${name}-weights.safetensors`),
        '/fixtures/words.txt': Buffer.from(gloveText([...new Set(words)], spec.wordDim)),
      });
      const tab = await browser.newPage();
      await tab.goto(`${server.url}/bench.html`);
      await tab.waitForFunction(() => window.__result, null, { timeout: 600000 });
      const r = await tab.evaluate(() => window.__result);
      await tab.close();
      server.close();
      if (r.error) throw new Error(`${name}/${backend}: ${r.error}`);
      const f = x => x.toFixed(1).padStart(8);
      console.log(`${name.padEnd(6)} ${r.backend.padEnd(7)} load+init ${f(r.loadInitMs)} ms | first query ${f(r.firstQueryMs)} ms | warm query median ${f(r.medianMs)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}; 12 words)`);
    }
  }
} finally {
  await browser.close();
}
