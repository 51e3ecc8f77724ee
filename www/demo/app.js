// The demo page: a synthetic-world video, a query box, and what CMIN makes of the query.
// Everything runs in the browser; inference runs in the package's worker (cmin-worker.js).
import { CminWorker, readNpy } from '../../pkg/cmin-client.js';
import { drawStage } from './stage.js';
import { drawParseTree } from './parse-tree.js';
import { drawTimeline, drawHeatmap } from './results.js';

const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'auto';

const state = { world: null, step: 0, playing: false, until: null, truth: null, hasModel: false };
// For tests and the curious: the page's state and last result.
window.__cmin = state;
const cmin = new CminWorker(new URL('../../pkg/cmin-worker.js', import.meta.url));

function showError(message) {
  $('error').textContent = message ?? '';
}

// One progress bar over every file the package downloads (cached files arrive at once).
const downloads = {};
function showProgress(event) {
  if (event.file) downloads[event.file] = { loaded: event.loaded ?? 0, total: event.total ?? 0 };
  const files = Object.values(downloads);
  const total = files.reduce((n, f) => n + f.total, 0);
  $('progress').value = total ? files.reduce((n, f) => n + f.loaded, 0) / total : 0;
  $('progress').hidden = false;
}

function setBadge(info, timings) {
  const badge = $('badge');
  const name = info.backend === 'webgpu' ? 'WebGPU' : 'CPU';
  const why = info.fallbackReason ? ` (fallback: ${info.fallbackReason})` : '';
  const times = timings ? ` · parse ${timings.parse.toFixed(1)} ms · inference ${timings.inference.toFixed(1)} ms` : '';
  badge.textContent = `${name}${why}${times}`;
  badge.className = `badge ${info.backend}`;
  state.backendInfo = info;
}

// Without weights, the package's defaults: the world model, GloVe vectors and the parser
// (fetched once, then from the Cache API).
async function loadModel(weights, config) {
  let info;
  try {
    info = await cmin.load({ weights, config, backend, onProgress: showProgress });
  } finally {
    $('progress').hidden = true;
  }
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
  // Each query in the generator's words and in everyday ones, so the list shows what the
  // model understands.
  for (const q of world.queries) {
    for (const text of [q.wording, q.text]) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `${text}${q.roleSensitive ? ' (syntax decides)' : ''} — ${q.start}–${q.end} s`;
      button.onclick = () => {
        $('query').value = text;
        submit();
      };
      item.append(button);
      list.append(item);
    }
  }
  if (world.queries.length) $('query').placeholder = world.queries[0].wording;
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
  showReadAs(null);
  const text = $('query').value;
  if (!text.trim()) {
    showError('The query is empty: type a sentence, or pick an example.');
    return;
  }
  const truth = state.world?.queries.find(q => q.text === text.trim() || q.wording === text.trim()) ?? null;
  state.truth = truth;
  try {
    if (!state.hasModel) {
      showError('The model is still loading.');
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
    showReadAs(result);
    if (result.unknownWords.length) showError(`No vector for: ${result.unknownWords.join(', ')} (read as zeros).`);
  } catch (e) {
    showError(e.message);
  }
}

// What the model read, when it corrected a typo: "read as: the purple circle (purpel -> purple)".
function showReadAs(result) {
  const note = $('read-as');
  if (!result?.corrections?.length) {
    note.hidden = true;
    note.textContent = '';
    return;
  }
  const changes = result.corrections.map(c => `${c.from} → ${c.to}`).join(', ');
  note.textContent = `Read as: “${result.readAs}” (${changes})`;
  note.hidden = false;
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

  await loadModel();
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
