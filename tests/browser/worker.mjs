// The package's worker and its client (pkg/cmin-worker.js, pkg/cmin-client.js) as a careless
// or hostile page uses them, in headless Chromium:
//   - a caller's own `id` or `type` among its arguments changes nothing;
//   - every option of Cmin.localize works through the worker (includeRaw, nmsThreshold,
//     correctTypos);
//   - an aborted load rejects with 'aborted' and leaves the model in use answering as before;
//   - terminate() rejects every pending call with 'terminated', and the next call starts a
//     fresh worker;
//   - a worker that dies rejects its pending calls with 'worker-crashed', and the next call
//     starts a fresh one.
//   node tests/browser/worker.mjs   (after scripts/build-pkg.sh)
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, pageResult, checker } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
if (!fs.existsSync(path.join(repo, 'pkg/cmin-client.js'))) {
  console.error('pkg/ is missing (run scripts/build-pkg.sh)');
  process.exit(1);
}

const page = `<!doctype html><script type="module">
import { CminWorker } from '/pkg/cmin-client.js';
const codeOf = async promise => { try { await promise; return 'no error'; } catch (e) { return e.code ?? 'no code: ' + e.message; } };
const out = {};
try {
  const cmin = new CminWorker();
  await cmin.load({ backend: 'cpu', cache: false });
  const world = await cmin.world(11);
  const text = world.queries[0].text;
  const plain = await cmin.localize(text, { topK: 3 });
  out.plain = plain.moments;
  // Arguments that name a request or an id stay arguments.
  const hostile = await cmin.localize(text, { topK: 3, id: 0, type: 'load' });
  out.hostileSame = JSON.stringify(hostile.moments) === JSON.stringify(plain.moments);
  const video = await cmin.video({ features: new Float32Array(96 * 64).fill(0.1), numClips: 96, featureDim: 64, duration: 48, id: 0, type: 'parse' });
  out.videoEncoded = video.encoded === true;
  await cmin.world(11);
  // Options of the direct API.
  const raw = await cmin.localize(text, { includeRaw: true, nmsThreshold: 0.3, topK: 2 });
  out.raw = raw.scores instanceof Float32Array && raw.scores.length > 0 && raw.moments.length <= 2;
  out.badNms = await codeOf(cmin.localize(text, { nmsThreshold: 'x' }));
  // The longest word without its third letter ("followed" -> "folowed").
  const longest = text.split(' ').reduce((a, b) => (b.length > a.length ? b : a));
  const typo = text.replace(longest, longest.slice(0, 2) + longest.slice(3));
  out.typo = typo;
  out.corrected = (await cmin.localize(typo)).corrections.length > 0;
  out.uncorrected = (await cmin.localize(typo, { correctTypos: false })).corrections.length === 0;
  // An aborted load: the current model stays.
  const controller = new AbortController();
  const aborted = cmin.load({ backend: 'cpu', cache: false, signal: controller.signal });
  controller.abort();
  out.abortedLoad = await codeOf(aborted);
  await new Promise(r => setTimeout(r, 1500)); // the worker finishes or cancels the load
  const after = await cmin.localize(text, { topK: 3 });
  out.afterAbortSame = JSON.stringify(after.moments) === JSON.stringify(plain.moments);
  // terminate(): every pending call rejects; the next call gets a fresh worker.
  const pending = [cmin.localize(text), cmin.world(12)];
  cmin.terminate();
  out.terminated = await Promise.all(pending.map(codeOf));
  out.freshNoModel = await codeOf(cmin.localize(text));
  // A worker that dies: its pending calls reject, and the next call starts another one.
  const dying = URL.createObjectURL(new Blob(['self.onmessage = () => { throw new Error("boom"); };'], { type: 'text/javascript' }));
  const broken = new CminWorker(dying);
  out.crashed = await Promise.race([codeOf(broken.parse('hello')), new Promise(r => setTimeout(() => r('hang'), 10000))]);
  out.crashedAgain = await Promise.race([codeOf(broken.parse('hello')), new Promise(r => setTimeout(() => r('hang'), 10000))]);
  broken.terminate();
  cmin.terminate();
} catch (e) {
  out.error = String(e && e.message || e);
}
window.__result = out;
</script>`;

const server = await serve(repo, { '/worker.html': Buffer.from(page) });
const browser = await launch({ webgpu: false });
const check = checker();
try {
  const r = await pageResult(browser, `${server.url}/worker.html`);
  check(!r.error, `no unexpected error (${r.error ?? 'none'})`);
  check(r.plain?.length > 0, 'the worker answers a query');
  check(r.hostileSame, "a caller's { id: 0, type: 'load' } among localize's options changes nothing");
  check(r.videoEncoded, "a caller's id and type among video()'s fields change nothing");
  check(r.raw, 'includeRaw, nmsThreshold and topK work through the worker');
  check(r.badNms === 'bad-options', `a bad nmsThreshold is bad-options through the worker (${r.badNms})`);
  check(r.corrected && r.uncorrected, `correctTypos works through the worker ("${r.typo}": ${r.corrected}, ${r.uncorrected})`);
  check(r.abortedLoad === 'aborted', `an aborted load rejects with aborted (${r.abortedLoad})`);
  check(r.afterAbortSame, 'after an aborted load the model in use answers as before');
  check(JSON.stringify(r.terminated) === '["terminated","terminated"]', `terminate() rejects pending calls (${r.terminated})`);
  check(r.freshNoModel === 'no-model', `after terminate() the next call reaches a fresh worker (${r.freshNoModel})`);
  check(r.crashed === 'worker-crashed', `a dying worker rejects its pending call (${r.crashed})`);
  check(r.crashedAgain === 'worker-crashed', `the next call starts a new worker (${r.crashedAgain})`);
} finally {
  await browser.close();
  server.close();
}
console.log(`worker test: ${check.failed ? 'FAILED' : 'passed'} (${check.failed} failures)`);
process.exit(check.failed ? 1 : 0);
