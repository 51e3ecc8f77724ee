// The consumer check: `npm pack` of pkg/, installed into a throwaway page that imports
// `cmin-wasm` by name, runs one query in headless Chromium.
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
fs.writeFileSync(path.join(work, 'index.html'), `<!doctype html>
<script type="importmap">{ "imports": { "cmin-wasm": "/node_modules/cmin-wasm/${installed.module || installed.main}" } }</script>
<script type="module">
import init, { Cmin, World } from 'cmin-wasm';
try {
  await init();
  const [weights, embeddings] = await Promise.all(['/fixtures/weights.safetensors', '/fixtures/words.txt']
    .map(u => fetch(u).then(r => r.arrayBuffer())));
  const model = await Cmin.load({ weights, embeddings, config: ${JSON.stringify(SMALL_CONFIG)}, backend: 'cpu' });
  const features = new Float32Array(100 * 64).map((_, i) => Math.sin(i * 0.37));
  const video = model.encodeVideo(features, 100, 64, 50.0);
  const result = await model.localize(video, { tokens: ['The', 'person', 'took', 'out', 'a', 'glass', '.'],
    heads: [2, 3, 0, 3, 6, 3, 3], deprels: ['det', 'nsubj', 'root', 'compound:prt', 'det', 'obj', 'punct'] }, { topK: 3 });
  video.free();
  const world = World.generate(11);
  window.__result = { backend: model.backend, moments: result.moments, words: result.words, unknown: result.unknownWords,
    world: { steps: world.steps, query: world.queries()[2].text, features: world.features().length } };
} catch (e) { window.__result = { error: String(e && e.message || e) }; }
</script>`);
const server = await serve(work, { '/fixtures/weights.safetensors': weights, '/fixtures/words.txt': Buffer.from(gloveText(words, 48)) });
const browser = await launch();
let failed = 0;
try {
  const page = await browser.newPage();
  page.on('console', m => console.log('  page:', m.text()));
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.__result, null, { timeout: 120000 });
  const r = await page.evaluate(() => window.__result);
  console.log(`consumer page (${installed.name}@${installed.version}):`, JSON.stringify(r));
  const check = (ok, what) => { if (!ok) { failed++; console.error(`FAILED: ${what}`); } };
  check(!r.error, `no error (${r.error})`);
  check(installed.name === 'cmin-wasm', 'package is named cmin-wasm');
  check(r.backend === 'cpu', 'cpu backend');
  check(r.moments && r.moments.length === 3, 'three moments');
  check(r.moments && r.moments.every(m => 0 <= m.start && m.start <= m.end && m.end <= 50), 'moments inside the video');
  check(JSON.stringify(r.words) === JSON.stringify(words), 'words lower-cased, punctuation dropped');
  check(r.world && r.world.steps === 96 && r.world.features === 96 * 64 && r.world.query === 'the green triangle shrinks',
    'World.generate(11) is exported and matches `cmin world --seed 11`');
} finally {
  await browser.close();
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`consumer check: ${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
