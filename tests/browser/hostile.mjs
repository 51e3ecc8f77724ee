// Hostile values at the package's entry points, each case in a fresh page of headless Chromium,
// in both builds (loaded through index.js): getters and iterators that throw, Proxies (trapping and revoked), detached
// buffers, objects that only claim to be typed arrays, freed handles of every class, huge
// lengths, a million-word query. Each case is repeated; none may abort the module, hang, or
// throw an error without a code, and afterwards the module must answer a valid query exactly
// as before. Needs pkg/ (scripts/build-pkg.sh).
//   node tests/browser/hostile.mjs [REPEATS]          (CMIN_ROOT: a folder holding pkg/, default the repository)
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, checker } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const root = process.env.CMIN_ROOT ?? repo;
if (!fs.existsSync(path.join(root, 'pkg/cmin.js'))) {
  console.error(`${root}/pkg/ is missing: run scripts/build-pkg.sh`);
  process.exit(1);
}
const repeats = Number(process.argv[2] ?? 200);
const CASE_SECONDS = 120;

const server = await serve(root, { '/hostile.html': Buffer.from('<!doctype html><title>hostile</title>') });
let browser = await launch({ webgpu: false });
const check = checker();
try {
  const names = await listCases();
  console.log(`${names.length} cases, ${repeats} repeats each (freed handles: ten times as many)`);
  for (const build of ['webgpu', 'cpu']) {
    for (const name of names) {
      const what = `${build}: ${name}`;
      let r;
      try {
        const page = await browser.newPage();
        await page.goto(`${server.url}/hostile.html`);
        const run = page.evaluate(hostileCase, { build, name, repeats });
        const timeout = new Promise(resolve => setTimeout(() => resolve({ hung: true }), CASE_SECONDS * 1000));
        r = await Promise.race([run.catch(e => ({ crashed: String(e.message).slice(0, 200) })), timeout]);
        await page.close().catch(() => {});
      } catch (e) {
        r = { crashed: String(e.message).slice(0, 200) };
      }
      if (r.hung || r.crashed) {
        check(false, `${what}: ${r.hung ? `no answer within ${CASE_SECONDS} s` : `the page crashed (${r.crashed})`}`);
        // A crashed renderer can take the browser with it: start afresh for the next case.
        await browser.close().catch(() => {});
        browser = await launch({ webgpu: false });
        continue;
      }
      const problems = [];
      if (r.aborts) problems.push(`${r.aborts} aborts (${r.abortMessage})`);
      if (r.hangs) problems.push(`${r.hangs} hangs`);
      if (r.uncoded.length) problems.push(`uncoded: ${r.uncoded.join(' | ')}`);
      if (r.after !== true) problems.push(`afterwards the valid query gave ${r.after}`);
      check(problems.length === 0,
        `${what}: ${r.calls} calls, ${r.coded} coded errors, ${r.resolved} answers, ${r.ms} ms${problems.length ? `: ${problems.join('; ')}` : ''}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`hostile test: ${check.failed ? 'FAILED' : 'passed'} (${check.failed} failures)`);
process.exit(check.failed ? 1 : 0);

async function listCases() {
  const page = await browser.newPage();
  await page.goto(`${server.url}/hostile.html`);
  const names = await page.evaluate(hostileCase, { build: 'cpu', name: null, repeats: 0 });
  await page.close();
  return names;
}

// Runs in the page: the named case `repeats` times (the list of names when `name` is null).
async function hostileCase({ build, name, repeats }) {
  // The package's entry, as an app imports it; `build` picks the full or the CPU-only build.
  const pkg = await import('/pkg/index.js');
  await pkg.default({ backend: build });
  const { Cmin, Parser, World } = pkg;
  const [weights, embeddings, parserBytes] = await Promise.all(['/pkg/assets/cmin-world.safetensors',
    '/pkg/assets/glove-6b-50d-30k.safetensors', '/pkg/assets/parser-en-ewt.safetensors'].map(u => fetch(u).then(r => r.arrayBuffer())));
  const load = extra => Cmin.load({ weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false, ...extra });
  const model = name === null ? null : await load();
  const world = World.generate(11);
  const features = world.features();
  const video = model?.encodeVideo(features, world.steps, world.featureDim, world.duration);
  const valid = world.queries()[0].text;
  const answer = async () => JSON.stringify((await model.localize(video, valid, { topK: 3 })).moments);
  const before = model && await answer();

  const thrower = () => { throw new Error('hostile'); };
  const throwing = () => new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getPrototypeOf: thrower, getOwnPropertyDescriptor: thrower });
  const revoked = () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; };
  const detach = buffer => { structuredClone(buffer, { transfer: [buffer] }); return buffer; };
  const throwingIterator = () => { const a = [1, 2, 3]; a[Symbol.iterator] = thrower; return a; };
  const throwingElement = () => { const a = [1, 2, 3]; Object.defineProperty(a, 1, { get: thrower }); return a; };
  const lyingLength = () => { const a = new Float32Array(3); Object.defineProperty(a, 'length', { value: 2 ** 31 }); return a; };
  const q = world.queries()[0];
  const freed = {};
  if (model) {
    freed.model = await load();
    freed.model.free();
    freed.parser = Parser.load(parserBytes);
    freed.parser.free();
    freed.world = World.generate(12);
    freed.world.free();
    freed.video = model.encodeVideo(features, world.steps, world.featureDim, world.duration);
    freed.video.free();
  }
  const encode = (data, clips = world.steps, dim = world.featureDim) => model.encodeVideo(data, clips, dim, world.duration);
  const cases = {
    'a parse whose getter throws': () => model.localize(video, { get tokens() { throw new Error('x'); }, heads: [0], deprels: ['root'] }),
    'a trapping Proxy as the query': () => model.localize(video, throwing()),
    'a revoked Proxy as the query': () => model.localize(video, revoked()),
    'a parse whose tokens iterator throws': () => model.localize(video, { tokens: throwingIterator(), heads: [0, 1, 2], deprels: ['root', 'det', 'det'] }),
    'a trapping Proxy as options': () => model.localize(video, valid, throwing()),
    'a revoked Proxy as options': () => model.localize(video, valid, revoked()),
    'options whose topK getter throws': () => model.localize(video, valid, { get topK() { throw new Error('x'); } }),
    'a signal whose aborted getter throws': () => model.localize(video, valid, { signal: { get aborted() { throw new Error('x'); } } }),
    'a trapping Proxy as the video': () => model.localize(throwing(), valid),
    'a revoked Proxy as the video': () => model.localize(revoked(), valid),
    'features on a detached buffer': () => { const a = features.slice(); detach(a.buffer); return encode(a); },
    'features whose iterator throws': () => encode(throwingIterator(), 1, 3),
    'features with a throwing element': () => encode(throwingElement(), 1, 3),
    'features that only claim to be a Float32Array': () => encode(Object.create(Float32Array.prototype), 1, 3),
    'features with a lying length': () => encode(lyingLength(), 1, 3),
    'features as a trapping Proxy': () => encode(throwing(), 1, 3),
    'features as a revoked Proxy': () => encode(revoked(), 1, 3),
    'features as a sparse array of 2^30': () => encode(new Array(2 ** 30), 2 ** 15, 2 ** 15),
    'load options as a trapping Proxy': () => Cmin.load(throwing()),
    'load options as a revoked Proxy': () => Cmin.load(revoked()),
    'load options whose weights getter throws': () => Cmin.load({ get weights() { throw new Error('x'); } }),
    'weights on a detached buffer': () => load({ weights: detach(new ArrayBuffer(64)), parser: null }),
    'weights that only claim to be a Uint8Array': () => load({ weights: Object.create(Uint8Array.prototype), parser: null }),
    'a config as a trapping Proxy': () => load({ parser: null, config: throwing() }),
    'a Parser from a detached buffer': () => Parser.load(detach(new ArrayBuffer(64))),
    'a Parser from a trapping Proxy': () => Parser.load(throwing()),
    'parse of a trapping Proxy': () => model.parse(throwing()),
    'World.generate of a trapping Proxy': () => World.generate(throwing()),
    'world.poses of a trapping Proxy': () => world.poses(throwing()),
    'a freed model: localize': () => freed.model.localize(video, valid),
    'a freed model: encodeVideo': () => freed.model.encodeVideo(features, world.steps, world.featureDim, world.duration),
    'a freed model: parse': () => freed.model.parse(valid),
    'a freed model: backend': () => freed.model.backend,
    'a freed parser: parse': () => freed.parser.parse(valid),
    'a freed world: features': () => freed.world.features(),
    'a freed world: poses': () => freed.world.poses(0),
    'a freed video: localize': () => model.localize(freed.video, valid),
    'a freed video: numClips': () => freed.video.numClips,
    'a freed video in a parse field': () => model.localize(video, { tokens: q.text.split(' '), heads: freed.video, deprels: [] }),
    'a query of a million words': () => model.localize(video, 'the red circle jumps '.repeat(250000)),
    'a text of a million words to parse': () => model.parse('the red circle jumps '.repeat(250000)),
    'a query of 4,000 words': () => model.localize(video, 'the red circle jumps '.repeat(1000)),
    'search of a trapping Proxy as the videos': () => model.search(throwing(), valid),
    'search of a revoked Proxy as the videos': () => model.search(revoked(), valid),
    'search of an array Proxy whose length throws': () => model.search(new Proxy([video], { get: thrower }), valid),
    'search of an array with a throwing element': () => { const a = [video, video]; Object.defineProperty(a, 1, { get: thrower }); return model.search(a, valid); },
    'search of no videos': () => model.search([], valid),
    'search of things that are not videos': () => model.search([1, 'x', {}, null], valid),
    'search of a freed video': () => model.search([video, freed.video], valid),
    'search of 2^32 empty slots': () => model.search(new Array(2 ** 32 - 1), valid),
    'search with a trapping Proxy as options': () => model.search([video], valid, throwing()),
    'search with includeRaw': () => model.search([video], valid, { includeRaw: true }),
    'a freed model: search': () => freed.model.search([video], valid),
    'encodeVideo options as a trapping Proxy': () => model.encodeVideo(features, world.steps, world.featureDim, world.duration, throwing()),
    'a timeScale that is not a scale': () => model.encodeVideo(features, world.steps, world.featureDim, world.duration, { timeScale: -1 }),
    'a timeScale whose getter throws': () => model.encodeVideo(features, world.steps, world.featureDim, world.duration, { get timeScale() { throw new Error('x'); } }),
    'a video of 2^31 seconds (found by fuzz.mjs)': () => model.encodeVideo(features, world.steps, world.featureDim, 2 ** 31),
    'a video of 10^12 seconds': () => model.encodeVideo(features, world.steps, world.featureDim, 1e12),
    'a video of 10^12 seconds at 10^-9 s a clip': () => model.encodeVideo(features, world.steps, world.featureDim, 1e12, { timeScale: 1e-9 }),
    'World.generateLong of a trapping Proxy': () => World.generateLong(throwing(), 60),
    'World.generateLong of a day': () => World.generateLong(1, 86400),
  };
  if (name === null) return Object.keys(cases);
  const r = { calls: 0, resolved: 0, coded: 0, uncoded: [], aborts: 0, abortMessage: '', hangs: 0 };
  const started = performance.now();
  const times = name.startsWith('a freed') ? repeats * 10 : name.includes('million') || name.includes('2^30') || name.includes('4,000') ? 3 : repeats;
  for (let i = 0; i < times; i++) {
    r.calls++;
    try {
      const outcome = await Promise.race([Promise.resolve().then(cases[name]),
        new Promise(resolve => setTimeout(() => resolve('hang'), 10000))]);
      if (outcome === 'hang') r.hangs++;
      else r.resolved++;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        r.aborts++;
        r.abortMessage = e.message;
        break;
      }
      if (typeof e?.code === 'string') r.coded++;
      else if (r.uncoded.length < 2) r.uncoded.push(`${e?.name}: ${String(e?.message).slice(0, 100)}`);
    }
  }
  r.ms = Math.round(performance.now() - started);
  const after = await Promise.race([answer().catch(e => `error: ${e.message}`),
    new Promise(resolve => setTimeout(() => resolve('no answer in 30 s'), 30000))]);
  r.after = after === before ? true : after;
  return r;
}
