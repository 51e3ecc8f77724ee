// Long videos and library search in headless Chromium, in both builds through index.js, with
// the package's world model: a 10-minute world video is read in windows and its queries are
// found; a short video answers as one resampled window; a search across world videos names
// each answer's video and agrees with localize on it; the worker's long, library and search
// requests. Needs pkg/ (scripts/build-pkg.sh).
//   node tests/browser/long.mjs          (CMIN_ROOT: a folder holding pkg/, default the repository)
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, checker } from './util.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const root = process.env.CMIN_ROOT ?? repo;
if (!fs.existsSync(path.join(root, 'pkg/cmin.js'))) {
  console.error(`${root}/pkg/ is missing: run scripts/build-pkg.sh`);
  process.exit(1);
}

const server = await serve(root, { '/long.html': Buffer.from('<!doctype html><title>long</title>') });
const browser = await launch({ webgpu: false });
const check = checker();
try {
  for (const build of ['webgpu', 'cpu']) {
    const page = await browser.newPage();
    await page.goto(`${server.url}/long.html`);
    const r = await page.evaluate(inPage, { build });
    await page.close();
    if (r.error) {
      check(false, `${build}: ${r.error}`);
      continue;
    }
    check(r.windows === r.expectedWindows && r.numClips === r.expectedClips,
      `${build}: a ${r.duration} s video is ${r.windows} windows over ${r.numClips} clips (expected ${r.expectedWindows} over ${r.expectedClips})`);
    check(r.numClips === r.expectedClips && r.attentionRows === r.numClips, `${build}: attention has a row per clip (${r.attentionRows})`);
    check(r.found * 100 >= r.queries * 70, `${build}: ${r.found} of ${r.queries} queries of the long video found at R@1, IoU >= 0.5`);
    check(r.resampledFound * 100 < r.queries * 20, `${build}: resampled whole (timeScale 'whole'), ${r.resampledFound} of ${r.queries}`);
    check(r.shortSame, `${build}: a 48 s video answers the same in windows and resampled whole`);
    check(r.searchVideos && r.searchSorted && r.searchAgrees,
      `${build}: a search across ${r.library} videos names each answer's video, ranks across them and agrees with localize`);
    check(r.searchFound * 100 >= r.searchQueries * 80,
      `${build}: ${r.searchFound} of ${r.searchQueries} library queries in the top 10 with their video`);
  }
  // The worker: long, library and search requests.
  const page = await browser.newPage();
  await page.goto(`${server.url}/long.html`);
  const w = await page.evaluate(async () => {
    try {
      const { CminWorker } = await import('/pkg/cmin-client.js');
      const worker = new CminWorker();
      await worker.load({ backend: 'cpu', cache: false });
      const long = await worker.long(3, 300);
      const local = await worker.localize(long.queries[0].text);
      const videos = await worker.library([1, 2, 3, 4, 5]);
      const found = await worker.search(videos[2].queries[0].text, { topK: 5 });
      let empty;
      try { await worker.search('   '); } catch (e) { empty = e.code; }
      worker.terminate();
      return { windows: long.windows, numClips: long.numClips, rows: local.attention.length / local.words.length, moments: found.moments.length, first: found.moments[0], empty };
    } catch (e) {
      return { error: `${e.code}: ${e.message}` };
    }
  });
  await page.close();
  check(!w.error && w.windows >= 12 && w.rows === w.numClips && w.moments === 5 && Number.isInteger(w.first?.video) && w.empty === 'query-empty',
    `worker: long ${w.windows} windows, attention rows ${w.rows} of ${w.numClips}; search ${w.moments} moments, first in video ${w.first?.video}${w.error ? `: ${w.error}` : ''}`);
} finally {
  await browser.close();
  server.close();
}
console.log(`long-video test: ${check.failed ? 'FAILED' : 'passed'} (${check.failed} failures)`);
process.exit(check.failed ? 1 : 0);

// Runs in the page.
async function inPage({ build }) {
  try {
    const pkg = await import('/pkg/index.js');
    await pkg.default({ backend: build });
    const { Cmin, World } = pkg;
    const model = await Cmin.load({ backend: 'cpu', cache: false });
    const iou = (a, b) => {
      const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
      const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]);
      return union > 0 ? inter / union : 0;
    };
    const out = {};
    // A ten-minute world video at the model's second a clip: windows of 48 every 24 clips.
    const long = World.generateLong(5, 600);
    const features = long.features();
    const video = model.encodeVideo(features, long.steps, long.featureDim, long.duration);
    const whole = model.encodeVideo(features, long.steps, long.featureDim, long.duration, { timeScale: 'whole' });
    out.duration = long.duration;
    out.expectedClips = Math.ceil(long.duration);
    out.expectedWindows = Math.ceil((out.expectedClips - 48) / 24) + 1;
    out.windows = video.windows;
    out.numClips = video.numClips;
    const queries = long.queries();
    out.queries = queries.length;
    out.found = 0;
    out.resampledFound = 0;
    for (const q of queries) {
      const r = await model.localize(video, q.text);
      if (q === queries[0]) out.attentionRows = r.attention.length / r.words.length;
      out.found += iou([r.moments[0].start, r.moments[0].end], [q.start, q.end]) >= 0.5;
      const s = await model.localize(whole, q.text);
      out.resampledFound += iou([s.moments[0].start, s.moments[0].end], [q.start, q.end]) >= 0.5;
    }
    long.free();
    // A world video of one window: the same answer both ways.
    const short = World.generate(3);
    const a = model.encodeVideo(short.features(), short.steps, short.featureDim, short.duration);
    const b = model.encodeVideo(short.features(), short.steps, short.featureDim, short.duration, { timeScale: 'whole' });
    const text = short.queries()[0].text;
    const [ra, rb] = [await model.localize(a, text, { includeRaw: true }), await model.localize(b, text, { includeRaw: true })];
    out.shortSame = a.windows === 1 && JSON.stringify(ra.moments) === JSON.stringify(rb.moments)
      && ra.scores.every((v, i) => v === rb.scores[i]);
    // A library of world videos.
    const worlds = Array.from({ length: 20 }, (_, i) => World.generate(800 + i));
    const library = worlds.map(w => model.encodeVideo(w.features(), w.steps, w.featureDim, w.duration));
    out.library = library.length;
    out.searchVideos = out.searchSorted = out.searchAgrees = true;
    out.searchQueries = 0;
    out.searchFound = 0;
    for (const [i, w] of worlds.entries()) {
      for (const q of w.queries().slice(0, 1)) {
        const r = await model.search(library, q.text, { topK: 10 });
        out.searchVideos &&= r.moments.length === 10 && r.moments.every(m => m.videoId === library[m.video].id);
        out.searchSorted &&= r.moments.every((m, k) => k === 0 || r.moments[k - 1].score >= m.score);
        const own = r.moments.filter(m => m.video === i);
        const alone = await model.localize(library[i], q.text, { topK: 10 });
        out.searchAgrees &&= own.every((m, k) => m.start === alone.moments[k].start && m.score === alone.moments[k].score);
        out.searchQueries++;
        out.searchFound += own.some(m => iou([m.start, m.end], [q.start, q.end]) >= 0.5);
      }
    }
    return out;
  } catch (e) {
    return { error: `${e?.code}: ${e?.message ?? e}` };
  }
}
