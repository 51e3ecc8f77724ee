// cmin-wasm in a Web Worker, so inference never blocks the page. Part of the package: it
// sits beside cmin.js in pkg/ and is driven by CminWorker (cmin-client.js), which turns these
// messages into promises. Each request is { id, type, ...args }; each reply is { id, ok, value }
// or { id, ok: false, error }.
import init, { Cmin, Parser, World } from './cmin.js';

let ready = null; // the wasm module's init, once
let model = null; // Cmin
let parser = null; // Parser (also given to the model)
let video = null; // the encoded video queries run against
let videoInfo = null;

const handlers = {
  // { weights?, embeddings?, parser?, config?, backend? }: the parser alone is enough to parse.
  async load({ weights, embeddings, parser: parserBytes, config, backend }) {
    if (parserBytes) parser = Parser.load(parserBytes);
    if (!weights) return { backend: null, fallbackReason: null, config: null, parser: !!parser };
    const next = await Cmin.load({ weights, embeddings, parser: parserBytes, config, backend });
    if (model) model.free();
    model = next;
    dropVideo();
    return { backend: model.backend, fallbackReason: model.fallbackReason ?? null, config: model.config, parser: !!parser };
  },

  // { seed }: the world's video, its drawing and its queries; encodes it for the model.
  world({ seed }) {
    const world = World.generate(seed);
    try {
      const poses = [];
      for (let t = 0; t < world.steps; t++) poses.push(world.poses(t));
      const info = {
        seed: world.seed, duration: world.duration, steps: world.steps, stepSeconds: world.stepSeconds,
        featureDim: world.featureDim, actors: world.actors(), events: world.events(), queries: world.queries(), poses,
      };
      setVideo(world.features(), world.steps, world.featureDim, world.duration);
      return info;
    } finally {
      world.free();
    }
  },

  // { features: Float32Array, numClips, featureDim, duration }: bring your own clip features.
  video({ features, numClips, featureDim, duration }) {
    setVideo(features, numClips, featureDim, duration);
    return videoInfo;
  },

  parse({ text }) {
    if (!parser) throw new Error('no parser loaded');
    return parser.parse(text);
  },

  // { text, topK? }: parse, then localize in the current video; with timings in ms.
  async localize({ text, topK = 5 }) {
    if (!model) throw new Error('no model loaded: load weights first');
    if (!video) throw new Error('no video: generate a world or load clip features first');
    if (!text || !text.trim()) throw new Error('the query is empty: type a sentence');
    const t0 = performance.now();
    const parse = parser ? parser.parse(text) : null;
    const t1 = performance.now();
    const result = await model.localize(video, parse ?? text, { topK });
    const t2 = performance.now();
    return { ...result, parse, timings: { parse: t1 - t0, inference: t2 - t1 } };
  },
};

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
  const { id, type, ...args } = data;
  try {
    ready ??= init();
    await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${JSON.stringify(type)}`);
    self.postMessage({ id, ok: true, value: await handler(args) });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
