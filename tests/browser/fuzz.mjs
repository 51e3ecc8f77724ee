// Malformed and hostile calls at every entry point of the package, in headless Chromium, in
// both builds (each loaded through the package's entry, index.js) and the worker client: init, Cmin.load (and
// Cmin.cached/clearCache, with the Cache API), encodeVideo, localize, Parser.load/parse,
// World.generate/poses, methods of freed handles, and the worker's messages, drawn from a
// seeded generator. Values include throwing getters, Proxies (trapping and revoked), detached
// buffers, fake typed arrays, lying lengths, weights whose metadata was edited, and sizes up
// to the limits; some calls run concurrently. None may abort the module (a Rust panic or a
// bad memory access in wasm is a RuntimeError, after which the module is not to be trusted)
// or hang, and every error must carry a code; afterwards a valid query must give exactly the
// answer it gave before. Needs pkg/ (scripts/build-pkg.sh).
//   node tests/browser/fuzz.mjs [CALLS] [SEED]        (default 10,000 calls in all, seed 1)
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
if (!fs.existsSync(path.join(repo, 'pkg/cmin.js'))) {
  console.error('pkg/ is missing: run scripts/build-pkg.sh');
  process.exit(1);
}
const calls = Number(process.argv[2] ?? 10000);
const seed = Number(process.argv[3] ?? 1);

const server = await serve(repo, { '/fuzz.html': Buffer.from('<!doctype html><title>fuzz</title>') });
const browser = await launch({ webgpu: false });
let failed = 0;
const check = (ok, what) => {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
let total = 0;
try {
  for (const backend of ['webgpu', 'cpu']) {
    const page = await browser.newPage();
    page.on('pageerror', e => console.log(`  page error: ${e.message}`));
    await page.goto(`${server.url}/fuzz.html`);
    const report = await page.evaluate(fuzz, { backend, calls: Math.ceil(calls / 2), seed, trace: Number(process.env.FUZZ_TRACE ?? 0) });
    await page.close();
    total += report.calls;
    const build = `${report.build} build`;
    for (const line of report.trace) console.log(`  trace: ${line}`);
    console.log(`fuzz, ${build}: ${report.calls} calls (seed ${seed}; ${report.concurrent} in concurrent groups): ${report.resolved} resolved, ` +
      `${report.coded} coded errors, ${report.uncoded.count} other errors, ${report.aborts.length} aborts, ${report.hangs.length} hangs, ${report.seconds} s`);
    for (const [entry, n] of Object.entries(report.perEntry)) console.log(`  ${entry}: ${n} calls`);
    for (const m of report.uncoded.samples) console.log(`  uncoded: ${m}`);
    check(report.build === (backend === 'cpu' ? 'cpu' : 'webgpu'), `init({ backend: '${backend}' }) loaded the ${build}`);
    check(Object.values(report.perEntry).every(n => n >= 100), `${build}: every entry point got at least 100`);
    check(report.aborts.length === 0, `${build}: no call aborted the module${report.aborts.length ? `: ${report.aborts.slice(0, 5).join(' | ')}` : ''}`);
    check(report.uncoded.count === 0, `${build}: every error carries a code (${report.uncoded.count} without)`);
    check(report.hangs.length === 0, `${build}: no call hung${report.hangs.length ? `: ${report.hangs.slice(0, 5).join(' | ')}` : ''}`);
    check(report.after === report.before, `${build}: a valid query answers as before (${report.after})`);
    check(report.workerAfter === report.before, `${build} page: the worker still answers as before (${report.workerAfter})`);
    check(report.clientAfter === report.before, `${build} page: the worker client still answers as before (${report.clientAfter})`);
  }
  check(total >= calls, `at least ${calls} calls in all (${total})`);
} finally {
  await browser.close();
  server.close();
}
console.log(`fuzz test: ${failed ? 'FAILED' : 'passed'} (${failed} failures)`);
process.exit(failed ? 1 : 0);

// Runs in the page.
async function fuzz({ backend, calls, seed, trace }) {
  const started = performance.now();
  const pkg = await import('/pkg/index.js');
  // init with junk first: refused with a code, and the next init still works.
  for (const options of [null, 3, { backend: 'tpu' }, { get backend() { throw new Error('hostile'); } }]) {
    await pkg.default(options).then(() => { throw new Error('init accepted junk'); }, e => { if (typeof e?.code !== 'string') throw e; });
  }
  const build = await pkg.default({ backend });
  const { Cmin, Parser, World } = pkg;
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = n => Math.floor(random() * n);
  const pick = list => list[int(list.length)];
  const bytes = n => Uint8Array.from({ length: n }, () => int(256));
  const numbers = [0, -1, 1, 2, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, 48, 64, 96];
  const text = () => {
    const pieces = ['the', 'red', 'star', 'is', 'pushed', 'by', '', ' ', '.', ',', '(', ')', '?', '😀', '\u0000', '\u202e',
      'ñ', '中文', '\n', '\t', '"', "'", 'a'.repeat(300), 'circle', 'jumps', 'after', 'before', 'who', '-', '--'];
    return Array.from({ length: int(2) ? int(12) : int(3000) }, () => pick(pieces)).join(pick([' ', '', '  ']));
  };
  // Values that fight back when read.
  const thrower = () => { throw new Error('hostile'); };
  const hostile = () => {
    switch (int(9)) {
      case 0: return new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getPrototypeOf: thrower, getOwnPropertyDescriptor: thrower });
      case 1: { const { proxy, revoke } = Proxy.revocable([], {}); revoke(); return proxy; }
      case 2: { const b = new ArrayBuffer(4 * int(1024)); const views = [b, new Float32Array(b), new Uint8Array(b)]; structuredClone(b, { transfer: [b] }); return pick(views); }
      case 3: return Object.create(pick([Float32Array, Uint8Array, ArrayBuffer]).prototype);
      case 4: { const a = new Float32Array(int(64)); Object.defineProperty(a, 'length', { value: pick([2 ** 31, 2 ** 32 - 1, -1]) }); return a; }
      case 5: { const a = [1, 2, 3]; a[Symbol.iterator] = thrower; Object.defineProperty(a, 1, { get: thrower }); return a; }
      case 6: return new Array(pick([2 ** 20, 2 ** 28, 2 ** 32 - 1]));
      case 7: return { get tokens() { throw new Error('hostile'); }, get topK() { throw new Error('hostile'); }, get signal() { throw new Error('hostile'); } };
      default: return new Proxy([1, 2, 3], { get: (t, k) => (k === 'length' ? 2 ** 30 : t[k]) });
    }
  };
  const junk = depth => {
    if (int(6) === 0) return hostile();
    switch (int(depth > 2 ? 9 : 12)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return pick(numbers);
      case 3: return text();
      case 4: return int(2) === 1;
      case 5: return bytes(int(64));
      case 6: return new Float32Array(int(64)).map(() => pick(numbers));
      case 7: return Symbol('x');
      case 8: return () => 1;
      case 9: return Array.from({ length: int(5) }, () => junk(depth + 1));
      case 10: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['tokens', 'heads', 'deprels', 'topK', 'x', 'weights', 'num_clips', 'signal']), junk(depth + 1)]));
      default: return new ArrayBuffer(int(32));
    }
  };

  // The real files, to damage.
  const [weights, embeddings, parserBytes] = await Promise.all(['/pkg/assets/cmin-world.safetensors',
    '/pkg/assets/glove-6b-50d-30k.safetensors', '/pkg/assets/parser-en-ewt.safetensors'].map(u => fetch(u).then(r => r.arrayBuffer())));
  const model = await Cmin.load({ weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false });
  const world = World.generate(11);
  const features = world.features();
  const video = model.encodeVideo(features, world.steps, world.featureDim, world.duration);
  const valid = world.queries()[0].text;
  const answer = async m => JSON.stringify((await m.localize(video, valid, { topK: 3 })).moments);
  const before = await answer(model);
  const other = await Cmin.load({ weights, embeddings, parser: null, backend: 'cpu', cache: false });
  const foreign = other.encodeVideo(features, world.steps, world.featureDim, world.duration);
  const freed = model.encodeVideo(features, world.steps, world.featureDim, world.duration);
  freed.free();
  const parser = Parser.load(parserBytes);
  const freedModel = await Cmin.load({ weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false });
  freedModel.free();
  const freedParser = Parser.load(parserBytes);
  freedParser.free();
  const freedWorld = World.generate(12);
  freedWorld.free();

  // The weights with their metadata edited: a config value, the checksum, the header's length.
  const crafted = () => {
    const b = new Uint8Array(weights);
    const n = Number(new DataView(weights).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n)));
    const config = JSON.parse(header.__metadata__.cmin_config);
    const key = pick(Object.keys(config));
    config[key] = pick([2 ** 31, 2 ** 53, 1e9, 2048, 64, 512, 16, 0, -1, 1.5, 'x', null, [], true, config[key]]);
    header.__metadata__.cmin_config = JSON.stringify(config);
    if (int(4) === 0) header.__metadata__.cmin_checksum = pick(['0', 'x', '', header.__metadata__.cmin_checksum]);
    const text = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + text.length + (b.length - 8 - n));
    new DataView(out.buffer).setBigUint64(0, int(8) ? BigInt(text.length) : pick([0n, 2n ** 40n, 2n ** 64n - 1n, BigInt(out.length)]), true);
    out.set(text, 8);
    out.set(b.subarray(8 + n), 8 + text.length);
    return out;
  };

  const damaged = source => {
    const b = new Uint8Array(source.slice(0));
    switch (int(4)) {
      case 0: return b.slice(0, int(b.length));
      case 1: for (let i = 0; i < 1 + int(8); i++) b[int(Math.min(b.length, 2000))] = int(256); return b;
      case 2: for (let i = 0; i < 1 + int(8); i++) b[int(b.length)] = int(256); return b;
      default: return bytes(int(4096));
    }
  };
  const config = () => pick([junk(0), {
    num_clips: pick(numbers), frame_dim: pick(numbers), word_dim: pick([50, ...numbers]), d_model: pick(numbers),
    num_heads: pick(numbers), max_words: pick(numbers), num_stages: pick(numbers), anchor_widths: pick([[], [0], [2, 4], Array(100).fill(2), junk(1)]),
    fusion: pick(['concat', 'bilinear', 'nope', 3]),
  }]);
  const parse = () => {
    const n = pick([0, 1, 3, 20, 200]);
    return {
      tokens: int(5) ? Array.from({ length: n }, () => pick(['the', 'star', '', '😀', 'x'.repeat(500)])) : junk(1),
      heads: int(5) ? Array.from({ length: n + pick([0, 0, 1, -1]) }, () => pick([0, 1, 2, n, n + 1, -1, 1.5, NaN, 2 ** 40])) : junk(1),
      deprels: int(5) ? Array.from({ length: n }, () => pick(['nsubj', 'root', 'obj', 'frobnicate', '', 'nsubj:pass', 'acl:relcl'])) : junk(1),
    };
  };

  // What the call under way was given, to name it when it aborts the module.
  let last = '';
  // Reading a hostile value throws: its summary says so rather than failing the call.
  const summary = v => {
    try {
      return describe(v);
    } catch {
      return '(a value that throws when read)';
    }
  };
  const describe = v => {
    if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...(${v.length})` : v);
    if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `${v.constructor.name}(${v.byteLength} B)`;
    if (Array.isArray(v)) return `[${v.slice(0, 6).map(summary).join(', ')}${v.length > 6 ? `, ...(${v.length})` : ''}]`;
    return `{${Object.entries(v).slice(0, 12).map(([k, x]) => `${k}: ${summary(x)}`).join(', ')}}`;
  };
  const watch = (target, name, label = name) => {
    const original = target[name];
    target[name] = function (...args) {
      last = `${label}(${args.map(summary).join(', ')})`;
      return original.apply(this, args);
    };
  };
  for (const name of ['load', 'cached', 'clearCache']) watch(Cmin, name, `Cmin.${name}`);
  for (const name of ['encodeVideo', 'parse', 'localize']) watch(Cmin.prototype, name, `model.${name}`);
  watch(Parser, 'load', 'Parser.load');
  watch(Parser.prototype, 'parse', 'parser.parse');
  watch(World, 'generate', 'World.generate');
  watch(World.prototype, 'poses', 'world.poses');

  const entries = {
    'Cmin.load': () => pick([
      () => Cmin.load(junk(0)),
      () => Cmin.load({ weights: damaged(weights), embeddings, parser: null, backend: 'cpu', cache: false }),
      () => Cmin.load({ weights, embeddings: damaged(embeddings), parser: null, backend: 'cpu', cache: false }),
      () => Cmin.load({ weights, embeddings, parser: damaged(parserBytes), backend: 'cpu', cache: false }),
      () => Cmin.load({ weights, embeddings, parser: null, config: config(), backend: 'cpu', cache: false }),
      () => Cmin.load({ weights: crafted(), embeddings, parser: null, backend: 'cpu', cache: false }),
      () => Cmin.load({ weights: crafted(), embeddings, parser: null, backend: 'cpu', cache: false }),
      // The Cache API: URLs kept and read back, a cache cleared while others load.
      () => Cmin.load({ weights: pick(['/pkg/assets/cmin-world.safetensors', '/pkg/index.js']), embeddings, parser: null,
        backend: 'cpu', cacheName: pick(['fuzz-a', 'fuzz-b']), signal: int(4) ? undefined : AbortSignal.abort() }).then(m => m.free()),
      () => Cmin[pick(['cached', 'clearCache'])](pick(['fuzz-a', 'fuzz-b', junk(1)])),
      () => Cmin.load({ weights: junk(1), embeddings: junk(1), parser: junk(1), backend: junk(1), cache: false }),
      () => Cmin[pick(['cached', 'clearCache'])](junk(1)),
      () => Cmin.load({ weights: pick(['/nope', 'http://[', '/pkg/cmin.js', { url: '/pkg/cmin.js', integrity: junk(1) }]),
        embeddings, parser: null, backend: 'cpu', cache: false, onProgress: junk(1), signal: junk(1), cacheName: junk(1) }),
    ])(),
    encodeVideo: () => {
      const clips = pick([...numbers, world.steps]);
      const dim = pick([...numbers, world.featureDim]);
      const data = pick([features, features.subarray(0, int(features.length)), new Float32Array(int(5000)).map(() => pick(numbers)), junk(1)]);
      return pick([model, other])[pick(['encodeVideo', 'encodeVideo', 'parse', 'localize'])](data, clips, dim, pick([...numbers, 48, junk(1)]));
    },
    localize: () => {
      const target = pick([video, video, foreign, freed, junk(1)]);
      const query = pick([text(), parse(), parse(), junk(1), valid]);
      const options = pick([undefined, junk(1), { topK: pick(numbers), nmsThreshold: pick(numbers), includeRaw: junk(1), signal: junk(1) }]);
      return model.localize(target, query, options);
    },
    freed: () => pick([
      () => freedModel.localize(video, valid),
      () => freedModel.encodeVideo(features, world.steps, world.featureDim, world.duration),
      () => freedModel.parse(valid),
      () => freedModel.backend,
      () => freedModel.config,
      () => freedModel.free(),
      () => freedParser.parse(valid),
      () => freedWorld.features(),
      () => freedWorld.poses(pick(numbers)),
      () => freed.numClips,
      () => model.localize(freed, valid),
    ])(),
    // Sizes up to the limits and just past them.
    sizes: () => pick([
      () => model.encodeVideo(new Float32Array(world.featureDim * 20000), 20000, world.featureDim, 1000),
      () => model.encodeVideo(new Float32Array(1), 2 ** 21, 2 ** 10, 1),
      () => model.localize(video, 'the red star '.repeat(pick([100, 7000, 7693, 7700])), { topK: pick([1, 1000, 1e6]) }),
      () => parser.parse('the red star '.repeat(pick([100, 3000, 7693, 7700]))),
      () => model.localize(video, { tokens: Array(600).fill('star'), heads: Array(600).fill(0), deprels: Array(600).fill('root') }),
    ])(),
    parser: () => pick([
      () => parser.parse(pick([text(), text(), junk(0)])),
      () => Parser.load(pick([damaged(parserBytes), junk(0)])),
      () => model.parse(pick([text(), junk(0)])),
    ])(),
    world: () => pick([
      () => World.generate(pick([...numbers, junk(0)])),
      () => world.poses(pick([...numbers, junk(0)])),
    ])(),
  };

  // The worker: junk messages, then a valid load and query.
  const worker = new Worker('/pkg/cmin-worker.js', { type: 'module' });
  let nextId = 1;
  const pending = new Map();
  worker.onmessage = ({ data }) => {
    if (data?.progress) return;
    const p = pending.get(data?.id);
    if (p) {
      pending.delete(data.id);
      p(data);
    }
  };
  const ask = message => new Promise(resolve => {
    const id = nextId++;
    pending.set(id, resolve);
    const { type, ...args } = message;
    // Sometimes the arguments carry an `id` or `type` of their own: they stay arguments.
    if (s % 5 === 0) Object.assign(args, { id: pick([0, 1, id + 1]), type: pick(['load', 'nope']) });
    worker.postMessage({ id, type, args });
  });
  entries.worker = () => {
    const type = pick(['load', 'world', 'video', 'parse', 'localize', 'nope', junk(1), '__proto__', 'constructor']);
    const message = pick([
      { type },
      { type, ...pick([{ seed: pick(numbers) }, { text: text() }, { text: junk(1) }, { features: junk(1), numClips: pick(numbers), featureDim: pick(numbers), duration: pick(numbers) },
        { weights: damaged(weights), parser: null, cache: false }, { weights: junk(1), embeddings: junk(1) }, { topK: pick(numbers), text: valid }]) },
    ]);
    let body;
    try {
      structuredClone(message);
      body = message;
    } catch {
      body = { type: 'nope' };
    }
    return ask(body).then(reply => {
      if (!reply.ok) throw Object.assign(new Error(reply.error), { code: reply.code });
      return reply.value;
    });
  };

  // The worker client (cmin-client.js), as an app uses it.
  const { CminWorker, readNpy } = await import('/pkg/cmin-client.js');
  const client = new CminWorker();
  entries.client = () => pick([
    () => client.load(pick([junk(0), { weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false },
      { weights: damaged(weights), embeddings, parser: null, backend: 'cpu', cache: false, onProgress: junk(1), signal: junk(1) }])),
    () => client.world(pick([...numbers, junk(0)])),
    () => client.video(pick([junk(0), { features: junk(1), numClips: pick(numbers), featureDim: pick(numbers), duration: pick(numbers) }])),
    () => client.parse(pick([text(), junk(0)])),
    () => client.localize(pick([valid, text(), junk(0)]), pick([undefined, junk(1), { topK: pick(numbers), signal: junk(1) }])),
    () => client.request(pick(['load', 'nope', junk(0)]), junk(0), pick([undefined, junk(1)])),
    () => readNpy(pick([junk(0), bytes(int(200)).buffer])),
    () => { if (int(20) === 0) client.terminate(); },
  ])();

  const names = Object.keys(entries);
  const perEntry = Object.fromEntries(names.map(n => [n, 0]));
  const report = { calls: 0, resolved: 0, coded: 0, uncoded: { count: 0, samples: [] }, aborts: [], hangs: [], perEntry, trace: [] };
  const hang = Symbol('hang');
  report.concurrent = 0;
  function classify(entry, i, e) {
    if (e instanceof WebAssembly.RuntimeError || /unreachable|RuntimeError/.test(String(e?.message))) {
      report.aborts.push(`${entry} #${i}: ${e.message}: ${last}`);
    } else if (typeof e?.code === 'string') {
      report.coded++;
    } else {
      report.uncoded.count++;
      const m = `${entry}: ${e?.name}: ${String(e?.message ?? e).slice(0, 120)}`;
      if (!report.uncoded.samples.includes(m) && report.uncoded.samples.length < 12) report.uncoded.samples.push(m);
    }
  }
  for (let i = 0; i < calls; i++) {
    const entry = names[i % names.length];
    perEntry[entry]++;
    report.calls++;
    const state = s;
    last = '';
    // One call in ten starts a group of two to five calls that run at once.
    const group = int(10) === 0 ? 2 + int(4) : 1;
    if (group > 1) report.concurrent += group;
    const companions = Array.from({ length: group - 1 }, () => {
      const other = names[int(names.length)];
      perEntry[other]++;
      report.calls++;
      i++;
      return Promise.resolve().then(entries[other]).then(v => { if (v?.free && v !== video) v.free(); report.resolved++; }, e => classify(other, i, e));
    });
    try {
      const outcome = await Promise.race([Promise.all([Promise.resolve().then(entries[entry]), ...companions]).then(([first]) => first),
        new Promise(resolve => setTimeout(() => resolve(hang), 30000))]);
      if (outcome === hang) report.hangs.push(`${entry} #${i}`);
      else report.resolved++;
      if (i < trace) report.trace.push(`#${i} ${entry} (state ${state}): resolved`);
      if (outcome && typeof outcome.free === 'function' && outcome !== video) outcome.free();
    } catch (e) {
      if (i < trace) report.trace.push(`#${i} ${entry} (state ${state}): ${e?.code ?? e?.name}: ${String(e?.message ?? e).slice(0, 150)}`);
      classify(entry, i, e);
    }
    await Promise.race([Promise.allSettled(companions), new Promise(resolve => setTimeout(resolve, 30000))]);
  }
  report.before = before;
  report.after = await answer(model).catch(e => `error: ${e.message}`);
  const loaded = await ask({ type: 'load', weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false });
  const shown = loaded.ok && await ask({ type: 'world', seed: 11 });
  const reply = shown?.ok && await ask({ type: 'localize', text: valid, topK: 3 });
  report.workerAfter = reply?.ok ? JSON.stringify(reply.value.moments) : `error: ${loaded.error ?? shown?.error ?? reply?.error}`;
  worker.terminate();
  report.clientAfter = await client.load({ weights, embeddings, parser: parserBytes, backend: 'cpu', cache: false })
    .then(() => client.world(11)).then(() => client.localize(valid, { topK: 3 })).then(r => JSON.stringify(r.moments), e => `error: ${e.code}: ${e.message}`);
  client.terminate();
  report.build = build;
  report.seconds = Math.round((performance.now() - started) / 1000);
  return report;
}
