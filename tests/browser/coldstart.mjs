// Cold and warm start of the demo page: from navigation to the first answer, in headless
// Chromium on the CPU backend (WebGPU off). The first visit starts with empty caches (HTTP
// cache and Cache API); the second loads the page again in the same browser, so the model's
// files come from the Cache API (the wasm and JS are fetched again over loopback: the test
// server sends no caching headers). Prints the figures and
// every file the first visit downloaded, raw and gzipped. Needs pkg/ (scripts/build-pkg.sh).
//   node tests/browser/coldstart.mjs [RUNS]        (default 3; medians)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, launch } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const runs = Number(process.argv[2] ?? 3);
const server = await serve(repo);
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function visit(page) {
  const t0 = Date.now();
  await page.goto(`${server.url}/index.html?seed=11&backend=cpu`);
  await page.waitForFunction(() => window.__cmin?.ready || window.__cmin?.failed, null, { timeout: 180000 });
  const ready = Date.now() - t0;
  await page.fill('#query', 'the green triangle shrinks');
  await page.evaluate(() => { window.__cmin.lastResult = null; });
  await page.click('#query-form button');
  await page.waitForFunction(() => window.__cmin.lastResult?.moments, null, { timeout: 120000 });
  return { ready, answer: Date.now() - t0 };
}

const cold = [], warm = [];
let downloads = null;
for (let i = 0; i < runs; i++) {
  const browser = await launch({ webgpu: false });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const files = new Map();
    page.on('requestfinished', async request => {
      const url = new URL(request.url());
      if (url.origin === server.url && !files.has(url.pathname)) files.set(url.pathname, null);
    });
    cold.push(await visit(page));
    downloads ??= [...files.keys()];
    const before = new Map(server.hits);
    warm.push(await visit(page));
    const refetched = [...server.hits].filter(([u, n]) => n > (before.get(u) ?? 0) && u.startsWith('/pkg/assets/'));
    if (refetched.length) console.log(`warm visit fetched model files again: ${refetched.map(([u]) => u)}`);
  } finally {
    await browser.close();
  }
}
server.close();

let raw = 0, gz = 0;
console.log('\nfiles of the first visit (raw, gzip -9):');
for (const name of downloads) {
  const file = path.join(repo, name === '/' ? 'index.html' : name.slice(1));
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) continue;
  const bytes = fs.readFileSync(file);
  const z = zlib.gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += z;
  console.log(`  ${name}: ${(bytes.length / 1048576).toFixed(2)} MiB, ${(z / 1048576).toFixed(2)} MiB gz`);
}
console.log(`  total: ${(raw / 1048576).toFixed(2)} MiB raw, ${(gz / 1048576).toFixed(2)} MiB gzipped`);
const ms = xs => `${median(xs)} ms (runs: ${xs.join(', ')})`;
console.log(`\ncold start (empty caches), navigation to ready: ${ms(cold.map(r => r.ready))}`);
console.log(`cold start, navigation to the first answer:    ${ms(cold.map(r => r.answer))}`);
console.log(`warm start (cached), navigation to ready:       ${ms(warm.map(r => r.ready))}`);
console.log(`warm start, navigation to the first answer:     ${ms(warm.map(r => r.answer))}`);
