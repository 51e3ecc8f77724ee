// Parser throughput in the browser (the same twelve-word queries as the native bench,
// `cargo bench -p cmin-parser`): model load time and parses per second, single thread.
//   node tests/browser/parser-bench.mjs   (after scripts/build-pkg.sh)
import path from 'node:path';
import { serve, launch } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const QUERIES = [
  'the person takes a knife out of the drawer and cuts bread',
  'a red circle jumps over the blue square before the green spins',
  'he cuts the onion into small pieces and then washes his hands',
  'the woman who is holding the bag walks slowly towards the door',
  'the big triangle is pushed by the yellow square while circles grow',
  'after the man rinses the plate he places it in the rack',
  'she peels the orange with her fingers and throws the skin away',
  'the small green circle follows the large red square across the stage',
];

const page = `<!doctype html><script type="module">
import init, { Parser } from '/pkg/cmin.js';
try {
  await init();
  const bytes = await fetch('/www/assets/parser-en-ewt.safetensors').then(r => r.arrayBuffer());
  const t0 = performance.now();
  const parser = Parser.load(bytes);
  const loadMs = performance.now() - t0;
  const queries = ${JSON.stringify(QUERIES)};
  for (let i = 0; i < 500; i++) parser.parse(queries[i % 8]);
  const rates = [];
  for (let run = 0; run < 5; run++) {
    const n = 2000, s = performance.now();
    for (let i = 0; i < n; i++) parser.parse(queries[i % 8]);
    rates.push(n / ((performance.now() - s) / 1000));
  }
  rates.sort((a, b) => a - b);
  window.__result = { loadMs, median: rates[2], min: rates[0], max: rates[4], bytes: bytes.byteLength };
} catch (e) { window.__result = { error: String(e && e.message || e) }; }
</script>`;

const browser = await launch({ webgpu: false });
try {
  const server = await serve(repo, { '/parser-bench.html': Buffer.from(page) });
  const tab = await browser.newPage();
  await tab.goto(`${server.url}/parser-bench.html`);
  await tab.waitForFunction(() => window.__result, null, { timeout: 300000 });
  const r = await tab.evaluate(() => window.__result);
  server.close();
  if (r.error) throw new Error(r.error);
  console.log(`parser in wasm (headless Chromium): model ${r.bytes} bytes loaded in ${r.loadMs.toFixed(0)} ms; ` +
    `twelve-word queries/s median ${r.median.toFixed(0)} (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)}; 5 runs of 2,000)`);
} finally {
  await browser.close();
}
