// Helpers for the Node-driven browser checks: a loopback static server and Chromium.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

function readIfFile(file) {
  return fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : undefined;
}

/**
 * Serves `root` (and `routes`: url path -> file path or Buffer) on 127.0.0.1; resolves to
 * { url, close, hits } where `hits` counts the requests per url path.
 */
export function serve(root, routes = {}) {
  const base = path.resolve(root);
  const hits = new Map();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.set(url, (hits.get(url) ?? 0) + 1);
    let body = routes[url];
    let name = url;
    if (typeof body === 'string') {
      name = body;
      body = readIfFile(body);
    } else if (body === undefined) {
      name = path.resolve(base, '.' + (url.endsWith('/') ? url + 'index.html' : url));
      body = name.startsWith(base + path.sep) ? readIfFile(name) : undefined;
    }
    if (body === undefined) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] || 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () =>
    resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close(), hits })));
}

/** Headless Debian Chromium; `webgpu` turns on WebGPU (SwiftShader), else the GPU is disabled. */
export function launch({ webgpu = true } = {}) {
  const args = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
  args.push(webgpu ? '--enable-unsafe-webgpu' : '--disable-gpu');
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

/** Deterministic GloVe-text word vectors (dim values in [-1, 1]) for test vocabularies. */
export function gloveText(words, dim) {
  let s = 12345;
  const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s / 1073741824 - 1).toFixed(5); };
  return words.map(w => [w, ...Array.from({ length: dim }, next)].join(' ')).join('\n') + '\n';
}

export function sharedDir() {
  return process.env.CMIN_SHARED || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared');
}

/** The small reference model's config (CminConfig fields; the rest default to reference_tacos). */
export const SMALL_CONFIG = { num_clips: 64, frame_dim: 64, word_dim: 48, d_model: 64, num_heads: 4, max_words: 20 };

/** Opens `url` in a new tab and returns what its script left in `window.__result`. */
export async function pageResult(browser, url, timeout = 300000) {
  const tab = await browser.newPage();
  await tab.goto(url);
  await tab.waitForFunction(() => window.__result, null, { timeout });
  return tab.evaluate(() => window.__result);
}

/** A checker that prints each check and counts the failures: `check(ok, what)`, `check.failed`. */
export function checker() {
  const check = (ok, what) => {
    if (!ok) check.failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  };
  check.failed = 0;
  return check;
}
