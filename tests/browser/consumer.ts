// The package's whole API as a TypeScript app uses it; the consumer check compiles it with
// `tsc --strict --noEmit` against the packed package, so the declarations cannot drift from
// what the code below needs. Never run.
import init, { Cmin, Parser, World, build } from 'cmin-wasm';
import type {
  Build, CminError, CminErrorCode, Correction, FoundMoment, LoadProgress, LocalizeResult, Moment, Analysis, SearchResult,
  VideoOptions,
} from 'cmin-wasm';
import { CminWorker, readNpy } from 'cmin-wasm/cmin-client.js';
import type { WorkerLocalizeResult } from 'cmin-wasm/cmin-client.js';

function isCminError(e: unknown): e is CminError {
  return e instanceof Error && e.name === 'CminError';
}

export async function everything(features: Float32Array, npy: ArrayBuffer): Promise<Moment[]> {
  const chosen: Build = await init({ module_or_path: new URL('./cmin_bg.wasm', import.meta.url) });
  await init({ backend: 'cpu', module_or_path: { webgpu: '/wasm/cmin_bg.wasm', cpu: fetch('/wasm/cpu/cmin_bg.wasm') } });
  const current: Build | null = build;
  console.log(chosen, current);
  const defaults: Cmin = await Cmin.load();
  const events: LoadProgress[] = [];
  const controller = new AbortController();
  const model = await Cmin.load({
    weights: { url: '/model.safetensors', integrity: 'sha256-AAAA' },
    embeddings: new URL('/words.safetensors', location.href),
    parser: null,
    config: { num_clips: 64 },
    backend: 'auto',
    onProgress: e => {
      events.push(e);
      if (e.status === 'progress') console.log(e.file, e.loaded, e.total, e.progress);
      if (e.status === 'done') console.log(e.fromCache);
      if (e.status === 'ready') console.log(e.backend);
    },
    signal: controller.signal,
    cache: true,
    cacheName: 'my-app',
  });
  const urls: string[] = await Cmin.cached('my-app');
  const cleared: boolean = await Cmin.clearCache();
  console.log(urls, cleared, model.backend, model.fallbackReason, model.config);
  const device = defaults.device;
  if (device.adapter) console.log(device.adapter.vendor, device.adapter.architecture, device.adapter.limits.maxBufferSize);

  const video = defaults.encodeVideo(features, 96, 64, 48);
  let result: LocalizeResult;
  try {
    result = await defaults.localize(video, 'the red star is pushed by the purple circle', { topK: 3, signal: controller.signal });
  } catch (e) {
    if (isCminError(e)) {
      const code: CminErrorCode = e.code;
      if (code === 'aborted') return [];
    }
    throw e;
  }
  console.log(result.attention[0], result.words, result.unknownWords, result.truncatedFrom, result.numClips);
  const corrections: Correction[] = result.corrections;
  const readAs: string | null = result.readAs;
  console.log(corrections.map(c => `${c.from} -> ${c.to}`), readAs);
  await defaults.localize(video, 'the purpel circle jumps', { correctTypos: false });
  const parse: Analysis = defaults.parse('He took out a glass.');
  await defaults.localize(video, parse, { nmsThreshold: 0.5, includeRaw: true });
  await defaults.localize(video, { tokens: ['go'], heads: [0], deprels: ['root'] });
  const whole: VideoOptions = { timeScale: 'whole' };
  const other = defaults.encodeVideo(features, 96, 64, 48, whole);
  const long = defaults.encodeVideo(features, 96, 64, 600, { timeScale: 2 });
  console.log(long.windows, long.numClips);
  const found: SearchResult = await defaults.search([video, other, long], 'the red star spins', { topK: 10, signal: controller.signal });
  const first: FoundMoment = found.moments[0];
  console.log(first.video, first.videoId, first.start, first.end, first.score, found.readAs);
  video.free();

  const parser = Parser.load(new Uint8Array(8));
  console.log(parser.parse('Cut it.').offsets);
  const world = World.generate(11);
  const texts: string[] = world.queries().map(q => q.text);
  const wordings: string[] = world.queries().map(q => q.wording);
  console.log(wordings);
  console.log(texts, world.actors()[0].name, world.events()[0].start, world.poses(0)[0].x, world.features().length);
  world.free();
  const tenMinutes = World.generateLong(11, 600);
  console.log(tenMinutes.duration, tenMinutes.queries().length);
  tenMinutes.free();

  const worker = new CminWorker();
  const loaded = await worker.load({ onProgress: (e: LoadProgress) => console.log(e.status), signal: controller.signal });
  console.log(loaded.backend, loaded.device.backend);
  const info = await worker.world(11);
  await worker.video({ ...readNpy(npy), duration: info.duration });
  const answer: WorkerLocalizeResult = await worker.localize(info.queries[0].text, { topK: 1, signal: controller.signal });
  console.log(answer.timings.inference, answer.parse?.tokens);
  const longInfo = await worker.long(11, 600);
  console.log(longInfo.windows, longInfo.numClips, longInfo.queries.length);
  const library = await worker.library([1, 2, 3]);
  const searched: SearchResult = await worker.search(library[0].queries[0].text, { topK: 5 });
  console.log(searched.moments.map(m => m.video));
  worker.terminate();
  return result.moments;
}
