// Browser figure for BENCHMARKS.md: what typo correction costs per query in wasm. The CPU-only
// build, the package's default word vectors and parser, a world video; the same queries are
// answered with correction on and off (`correctTypos`), in alternating rounds timed as a whole
// (performance.now() is coarse on a page that is not cross-origin isolated), and the
// difference per query is the correction's cost. Also the first corrected query, which
// builds the deletion index over the 30,000 words.
//   node tests/browser/bench-spelling.mjs   (after scripts/build-pkg.sh)
import path from 'node:path';
import { serve, launch } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// Made up for the benchmark: one or two misspelt words each.
const QUERIES = [
  'the purpel circle pushes the yelow square',
  'when does the grene triangel jump?',
  'the blu star folows the red sqaure',
  'show me the smal red circle spinnning',
  'find the part where the yellow triangle shrinks befor the big star jumps',
];

const page = `<!doctype html><script type="module">
import init, { Cmin, World } from '/pkg/cpu/cmin.js';
try {
  await init();
  const model = await Cmin.load({ backend: 'cpu', cache: false });
  const world = World.generate(11);
  const video = model.encodeVideo(world.features(), world.steps, world.featureDim, world.duration);
  const queries = ${JSON.stringify(QUERIES)};
  const t = performance.now();
  const first = await model.localize(video, queries[0]);
  const firstMs = performance.now() - t;
  const total = { on: 0, off: 0 };
  let [corrections, asked] = [0, 0];
  for (let round = 0; round < 110; round++) {
    for (const correctTypos of [true, false]) {
      const s = performance.now();
      for (const q of queries) {
        const r = await model.localize(video, q, { correctTypos });
        if (round === 0 && correctTypos) corrections += r.corrections.length;
      }
      if (round >= 10) total[correctTypos ? 'on' : 'off'] += performance.now() - s;
    }
    if (round >= 10) asked += queries.length;
  }
  window.__result = { firstMs, firstCorrections: first.corrections, corrections, on: total.on / asked, off: total.off / asked };
} catch (e) { window.__result = { error: String(e && e.message || e) }; }
</script>`;

const browser = await launch({ webgpu: false });
const server = await serve(repo, { '/bench.html': Buffer.from(page) });
try {
  const tab = await browser.newPage();
  await tab.goto(`${server.url}/bench.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 600000 });
  const r = await tab.evaluate(() => window.__result);
  if (r.error) throw new Error(r.error);
  console.log(`typo correction in wasm (CPU build): ${r.corrections} words corrected in ${QUERIES.length} queries`);
  console.log(`  localize per query, mean of 500: ${r.on.toFixed(3)} ms with correction, ${r.off.toFixed(3)} ms without` +
    ` -> correction ${(r.on - r.off).toFixed(3)} ms per query`);
  console.log(`  first corrected query (builds the index): ${r.firstMs.toFixed(1)} ms in all;` +
    ` ${r.firstCorrections.map(c => `${c.from} -> ${c.to}`).join(', ')}`);
} finally {
  await browser.close();
  server.close();
}
