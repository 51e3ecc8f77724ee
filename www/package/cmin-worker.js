// cmin-wasm in a Web Worker, so inference never blocks the page. Part of the package: it
// sits beside index.js in pkg/ and is driven by CminWorker (cmin-client.js), which turns these
// messages into promises. Each request is { id, type, args }; each reply is { id, ok, value },
// { id, ok: false, error, code, crashed? }, or (while loading) { id, progress }. After a trap
// in the module ('crashed') the worker closes itself: its state can no longer be trusted.
import init, { Cmin, World } from './index.js';

let model = null; // Cmin
let hasParser = false;
let video = null; // the encoded video queries run against
let videoInfo = null;
let library = []; // encoded videos a search runs across
const loads = new Map(); // request id -> AbortController of a load under way

const handlers = {
  // Cmin.load's options, less onProgress and signal (the client relays those).
  async load(options, id) {
    const controller = new AbortController();
    loads.set(id, controller);
    let next;
    try {
      next = await Cmin.load({
        ...options, signal: controller.signal, onProgress: progress => self.postMessage({ id, progress }),
      });
    } finally {
      loads.delete(id);
    }
    // Aborted after the files arrived: the model in use stays.
    if (controller.signal.aborted) {
      next.free();
      throw coded('aborted', 'load was aborted');
    }
    dropVideo();
    for (const v of library) v.free();
    library = [];
    if (model) model.free();
    model = next;
    hasParser = options.parser !== null;
    return { backend: model.backend, fallbackReason: model.fallbackReason ?? null, config: model.config, parser: hasParser, device: model.device };
  },

  // { seed }: the world's video, its drawing and its queries; encodes it for the model.
  world({ seed }) {
    const world = World.generate(seed);
    try {
      const info = describe(world);
      setVideo(world.features(), world.steps, world.featureDim, world.duration);
      return info;
    } finally {
      world.free();
    }
  },

  // { seed, seconds }: a long world video (scenes joined end to end), encoded in windows, with
  // its drawing (each pose says whether its actor is on stage then).
  long({ seed, seconds }) {
    const world = World.generateLong(seed, seconds);
    try {
      const info = describe(world);
      setVideo(world.features(), world.steps, world.featureDim, world.duration);
      return { ...info, windows: video?.windows ?? null, numClips: video?.numClips ?? null };
    } finally {
      world.free();
    }
  },

  // { seeds: number[] }: world videos encoded as a library for search; their queries.
  library({ seeds }) {
    const m = loaded();
    if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > 1000) {
      throw coded('bad-options', 'seeds must be an array of 1 to 1000 seeds');
    }
    const next = [];
    const videos = [];
    try {
      for (const seed of seeds) {
        const world = World.generate(seed);
        try {
          next.push(m.encodeVideo(world.features(), world.steps, world.featureDim, world.duration));
          videos.push({ seed: world.seed, duration: world.duration, queries: world.queries() });
        } finally {
          world.free();
        }
      }
    } catch (e) {
      for (const v of next) v.free();
      throw e;
    }
    for (const v of library) v.free();
    library = next;
    return videos;
  },

  // { text, ...search's options }: the library's best moments for the query, each with the
  // index of its video in the library.
  async search({ text, topK = 10, nmsThreshold, correctTypos }) {
    const m = loaded();
    if (library.length === 0) throw coded('no-video', 'no library: call library first');
    if (typeof text !== 'string' || !text.trim()) throw coded('query-empty', 'the query is empty: type a sentence');
    return m.search(library, text, { topK, nmsThreshold, correctTypos });
  },

  // { features: Float32Array, numClips, featureDim, duration }: bring your own clip features.
  video({ features, numClips, featureDim, duration }) {
    setVideo(features, numClips, featureDim, duration);
    return videoInfo;
  },

  parse({ text }) {
    return loaded().parse(text);
  },

  // { request }: cancels that load (its downloads stop; the current model stays).
  abort({ request }) {
    loads.get(request)?.abort();
    return null;
  },

  // { text, ...localize's options }: localize in the current video; the result carries the
  // parse, the corrections and the timings.
  async localize({ text, topK = 5, nmsThreshold, includeRaw, correctTypos }) {
    const m = loaded();
    if (!video) throw coded('no-video', 'no video: generate a world or load clip features first');
    if (typeof text !== 'string' || !text.trim()) throw coded('query-empty', 'the query is empty: type a sentence');
    return m.localize(video, text, { topK, nmsThreshold, includeRaw, correctTypos });
  },
};

// A world video as the page draws it: its actors, events, queries and every step's poses.
function describe(world) {
  const poses = [];
  for (let t = 0; t < world.steps; t++) poses.push(world.poses(t));
  return {
    seed: world.seed, duration: world.duration, steps: world.steps, stepSeconds: world.stepSeconds,
    featureDim: world.featureDim, actors: world.actors(), events: world.events(), queries: world.queries(), poses,
  };
}

function coded(code, message) {
  return Object.assign(new Error(message), { name: 'CminError', code });
}

function loaded() {
  if (!model) throw coded('no-model', 'no model loaded: call load first');
  return model;
}

function dropVideo() {
  if (video) video.free();
  video = null;
  videoInfo = null;
}

function setVideo(features, numClips, featureDim, duration) {
  if (!model) {
    videoInfo = { numClips, featureDim, duration, encoded: false };
    return;
  }
  const next = model.encodeVideo(features, numClips, featureDim, duration);
  dropVideo();
  video = next;
  videoInfo = { numClips, featureDim, duration, encoded: true };
}

self.onmessage = async ({ data }) => {
  const { id, type } = data ?? {};
  const args = data?.args !== null && typeof data?.args === 'object' ? data.args : {};
  try {
    // The first load's backend picks the build (a worker asked for 'cpu' fetches the CPU-only
    // one); once a build is loaded, init answers at once.
    await init(type === 'load' && args.backend !== undefined ? { backend: args.backend } : {});
    const handler = Object.hasOwn(handlers, type) ? handlers[type] : null;
    if (!handler) throw coded('bad-options', `unknown request ${JSON.stringify(type)}`);
    self.postMessage({ id, ok: true, value: await handler(args, id) });
  } catch (e) {
    const error = String((e && e.message) || e);
    if (e instanceof WebAssembly.RuntimeError) {
      self.postMessage({ id, ok: false, error, code: 'worker-crashed', crashed: true });
      self.close();
      return;
    }
    self.postMessage({ id, ok: false, error, code: (e && e.code) || 'internal' });
  }
};
