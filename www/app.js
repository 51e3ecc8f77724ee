// The demo page: a synthetic-world video, a query box, and what CMIN makes of the query.
// Everything runs in the browser; inference runs in the package's worker (cmin-worker.js).
import { CminWorker, readNpy } from '../pkg/cmin-client.js';
import { drawStage } from './stage.js';
import { drawParseTree } from './parse-tree.js';
import { drawTimeline, drawHeatmap } from './results.js';

const $ = id => document.getElementById(id);
const DEFAULT_MODEL = 'www/assets/cmin-world.safetensors';
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'auto';

const state = { world: null, step: 0, playing: false, until: null, truth: null, hasModel: false, embeddings: null, parser: null };
// For tests and the curious: the page's state and last result.
window.__cmin = state;
const cmin = new CminWorker(new URL('../pkg/cmin-worker.js', import.meta.url));

function showError(message) {
  $('error').textContent = message ?? '';
}

// Fetches with a progress bar over all downloads; a missing file resolves to null.
const progress = { loaded: 0, total: 0 };
async function download(url) {
  const response = await fetch(url);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  progress.total += total;
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    progress.loaded += value.length;
    $('progress').value = progress.total ? progress.loaded / progress.total : 0;
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes.buffer;
}

function setBadge(info, timings) {
  const badge = $('badge');
  if (!state.hasModel) {
    badge.textContent = 'no trained model loaded: parsing only (load weights under "Bring your own")';
    badge.className = 'badge';
    return;
  }
  const name = info.backend === 'webgpu' ? 'WebGPU' : 'CPU';
  const why = info.fallbackReason ? ` (fallback: ${info.fallbackReason})` : '';
  const times = timings ? ` · parse ${timings.parse.toFixed(1)} ms · inference ${timings.inference.toFixed(1)} ms` : '';
  badge.textContent = `${name}${why}${times}`;
  badge.className = `badge ${info.backend}`;
  state.backendInfo = info;
}

async function loadModel(weights, config) {
  const info = await cmin.load({ weights, embeddings: state.embeddings, parser: state.parser, config, backend });
  state.hasModel = true;
  setBadge(info);
  if (state.world) await cmin.world(state.world.seed);
}

async function generate(seed) {
  showError();
  const world = await cmin.world(seed);
  state.world = world;
  state.step = 0;
  state.truth = null;
  $('seek').max = String(world.steps - 1);
  $('seed').value = String(world.seed);
  const list = $('examples');
  list.replaceChildren();
  for (const q of world.queries) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `${q.text}${q.roleSensitive ? ' (syntax decides)' : ''} — ${q.start}–${q.end} s`;
    button.onclick = () => {
      $('query').value = q.text;
      submit();
    };
    item.append(button);
    list.append(item);
  }
  render();
}

function render() {
  const w = state.world;
  if (!w) return;
  drawStage($('stage'), w, state.step);
  $('seek').value = String(state.step);
  $('time').textContent = `${(state.step * w.stepSeconds).toFixed(1)} s`;
}

let lastFrame = 0;
function tick(now) {
  if (state.playing && state.world && now - lastFrame >= state.world.stepSeconds * 1000) {
    lastFrame = now;
    state.step += 1;
    const end = state.until ?? state.world.steps;
    if (state.step >= end) {
      state.step = Math.min(end, state.world.steps) - 1;
      state.playing = false;
      state.until = null;
      $('play').textContent = 'Play';
    }
    render();
  }
  requestAnimationFrame(tick);
}

async function submit() {
  showError();
  const text = $('query').value;
  if (!text.trim()) {
    showError('The query is empty: type a sentence, or pick an example.');
    return;
  }
  const truth = state.world?.queries.find(q => q.text === text.trim()) ?? null;
  state.truth = truth;
  try {
    if (!state.hasModel) {
      const parse = await cmin.parse(text);
      drawParseTree($('tree'), parse);
      state.lastResult = { parse };
      showError('No trained model is loaded, so only the parse is shown: load weights under "Bring your own".');
      return;
    }
    const result = await cmin.localize(text, { topK: 5 });
    state.lastResult = result;
    if (result.parse) drawParseTree($('tree'), result.parse);
    const duration = state.world?.duration ?? Number($('duration').value);
    drawTimeline($('timeline'), result.moments, duration, truth, (start, end) => {
      if (!state.world) return;
      state.step = Math.floor(start / state.world.stepSeconds);
      state.until = Math.ceil(end / state.world.stepSeconds);
      state.playing = true;
      $('play').textContent = 'Pause';
    });
    drawHeatmap($('heatmap'), result.attention, result.numClips, result.words);
    setBadge(state.backendInfo, result.timings);
    if (result.unknownWords.length) showError(`No vector for: ${result.unknownWords.join(', ')} (read as zeros).`);
  } catch (e) {
    showError(e.message);
  }
}

async function main() {
  $('play').onclick = () => {
    state.playing = !state.playing;
    state.until = null;
    if (state.world && state.step >= state.world.steps - 1) state.step = 0;
    $('play').textContent = state.playing ? 'Pause' : 'Play';
  };
  $('seek').oninput = () => {
    state.step = Number($('seek').value);
    render();
  };
  $('generate').onclick = () => guarded(() => generate(Number($('seed').value)));
  $('curated').onchange = () => $('curated').value && guarded(() => generate(Number($('curated').value)));
  $('query-form').onsubmit = e => {
    e.preventDefault();
    submit();
  };
  $('npy').onchange = () => guarded(async () => {
    const file = $('npy').files[0];
    if (!file) return;
    const video = readNpy(await file.arrayBuffer());
    const duration = Number($('duration').value);
    if (!(duration > 0)) throw new Error('the duration must be a positive number of seconds');
    await cmin.video({ ...video, duration });
    state.world = null;
    $('examples').replaceChildren();
    const ctx = $('stage').getContext('2d');
    ctx.fillStyle = '#f6f4ef';
    ctx.fillRect(0, 0, $('stage').width, $('stage').height);
    ctx.fillStyle = '#555';
    ctx.font = '16px sans-serif';
    ctx.fillText(`${file.name}: features only, nothing to draw`, 20, 40);
    showError(`Loaded ${file.name}: ${video.numClips} clips x ${video.featureDim}. Type a query.`);
  });
  $('weights').onchange = () => guarded(async () => {
    const file = $('weights').files[0];
    if (!file) return;
    const configFile = $('config').files[0];
    const config = configFile ? JSON.parse(await configFile.text()) : undefined;
    await loadModel(await file.arrayBuffer(), config);
  });

  const [embeddings, parser, weights] = await Promise.all([
    download('www/assets/glove-6b-50d-30k.cminemb'),
    download('www/assets/parser-en-ewt.cminparse'),
    download(DEFAULT_MODEL),
  ]);
  $('progress').hidden = true;
  state.embeddings = embeddings;
  state.parser = parser;
  await cmin.load({ parser });
  if (weights) await loadModel(weights);
  else setBadge();
  await generate(Number(params.get('seed') ?? 11));
  state.ready = true;
  requestAnimationFrame(tick);
}

async function guarded(action) {
  showError();
  try {
    await action();
  } catch (e) {
    showError(e.message);
  }
}

main().catch(e => {
  showError(`The page could not start: ${e.message}`);
  state.failed = e.message;
});
