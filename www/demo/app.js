// The demo page: a synthetic-world video (one, a long one, or a library of them), a query box,
// and what CMIN makes of the query, drawn on the video's own timeline. Everything runs in the
// browser; inference runs in the package's worker (cmin-worker.js).
import { CminWorker, readNpy } from '../../pkg/cmin-client.js';
import { drawStage } from './stage.js';
import { drawParseTree } from './parse-tree.js';
import { clock, drawHeatmap, drawTimeline, meaning, movePlayhead, setCalibrated } from './results.js';

const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'auto';
const LIBRARY_SIZE = 12;

const state = {
  mode: 'one', world: null, library: null, shown: null, step: 0, playing: false, until: null, truth: null,
  hasModel: false, view: null,
};
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
  // The score bands were measured for the demo's model only.
  setCalibrated(weights === undefined);
  setBadge(info);
  if (state.mode !== 'one' || state.world) await start(Number($('seed').value));
}

// The video of the mode: one world video, a long one, or the first of a library.
async function start(seed) {
  showError();
  state.lastResult = null;
  $('answers').replaceChildren();
  $('match').textContent = '';
  $('seed').value = String(seed);
  if (state.mode === 'library') {
    const seeds = Array.from({ length: LIBRARY_SIZE }, (_, i) => seed + i);
    state.library = (await cmin.library(seeds)).map((v, i) => ({ ...v, index: i }));
    await show(await cmin.world(seeds[0]), `Library of ${LIBRARY_SIZE} videos (seeds ${seeds[0]}–${seeds.at(-1)}): showing video 1, seed ${seeds[0]}`);
    // One query of each video: each describes its own video's moment.
    listExamples(state.library.map(v => ({ ...v.queries[0], video: v.index })));
    return;
  }
  state.library = null;
  if (state.mode === 'long') {
    const minutes = Number($('minutes').value);
    $('now-showing').textContent = `Generating a ${minutes}-minute video…`;
    const world = await cmin.long(seed, minutes * 60);
    await show(world, `A ${minutes}-minute video (seed ${seed}): ${world.queries.length} queries, each true of one moment; read in ${world.windows} windows of 48 s`);
  } else {
    await show(await cmin.world(seed), `Seed ${seed}: a 48-second video`);
  }
  listExamples(state.world.queries);
}

// Puts a world video on the stage and the timeline.
async function show(world, caption) {
  state.world = world;
  state.step = 0;
  state.truth = null;
  state.playing = false;
  $('play').textContent = 'Play';
  $('seek').max = String(world.steps - 1);
  $('now-showing').textContent = caption;
  state.view = { duration: world.duration, moments: [], truth: null, time: 0 };
  redrawTimeline();
  render();
}

function listExamples(queries) {
  const list = $('examples');
  list.replaceChildren();
  // Each query in everyday words and in the generator's, so the list shows what the model
  // understands; a long video's first eight.
  for (const q of queries.slice(0, state.mode === 'long' ? 8 : queries.length)) {
    for (const text of state.mode === 'one' ? [q.wording, q.text] : [q.wording]) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      const where = q.video === undefined ? '' : `video ${q.video + 1}, `;
      button.textContent = `${text}${q.roleSensitive ? ' (syntax decides)' : ''} — ${where}${clock(q.start)}–${clock(q.end)}`;
      button.onclick = () => {
        $('query').value = text;
        submit();
      };
      item.append(button);
      list.append(item);
    }
  }
  if (queries.length) $('query').placeholder = queries[0].wording;
}

function render() {
  const w = state.world;
  if (!w) return;
  drawStage($('stage'), w, state.step);
  $('seek').value = String(state.step);
  const seconds = state.step * w.stepSeconds;
  $('time').textContent = clock(seconds);
  movePlayhead($('timeline'), seconds, w.duration);
}

function redrawTimeline() {
  if (!state.view) return;
  drawTimeline($('timeline'), { ...state.view, time: state.step * (state.world?.stepSeconds ?? 0) }, play, seek);
}

// Plays [start, end] of the video on stage.
function play(start, end) {
  if (!state.world) return;
  state.step = Math.floor(start / state.world.stepSeconds);
  state.until = Math.ceil(end / state.world.stepSeconds);
  state.playing = true;
  $('play').textContent = 'Pause';
  render();
}

function seek(seconds) {
  if (!state.world) return;
  state.step = Math.min(state.world.steps - 1, Math.floor(seconds / state.world.stepSeconds));
  render();
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

// The sentence's true moment when it is one of the listed queries.
function truthOf(text) {
  const t = text.trim();
  const same = q => q.text === t || q.wording === t;
  if (state.library) {
    for (const v of state.library) {
      const q = v.queries.find(same);
      if (q) return { ...q, video: v.index };
    }
    return null;
  }
  return state.world?.queries.find(same) ?? null;
}

async function submit() {
  showError();
  showReadAs(null);
  const text = $('query').value;
  if (!text.trim()) {
    showError('The query is empty: type a sentence, or pick an example.');
    return;
  }
  const truth = truthOf(text);
  state.truth = truth;
  try {
    if (!state.hasModel) {
      showError('The model is still loading.');
      return;
    }
    const result = state.library ? await cmin.search(text, { topK: 10 }) : await cmin.localize(text, { topK: 5 });
    if (result.parse) drawParseTree($('tree'), result.parse);
    setBadge(state.backendInfo, result.timings);
    showReadAs(result);
    if (state.library) {
      await showSearch(result, truth);
    } else {
      const duration = state.world?.duration ?? Number($('duration').value);
      state.view = { duration, moments: result.moments, truth, relevance: result.relevance };
      redrawTimeline();
      drawHeatmap($('heatmap'), result.attention, result.numClips, result.words);
      listAnswers(result.moments);
      describeMatch(result.moments[0]);
    }
    if (result.unknownWords.length) showError(`No vector for: ${result.unknownWords.join(', ')} (read as zeros).`);
    // Set once everything is drawn (a library's answer may first bring its video on stage).
    state.lastResult = result;
  } catch (e) {
    showError(e.message);
  }
}

// A library search: the answers of every video in one list; the best answer's video on stage
// with its own answers on the timeline.
async function showSearch(result, truth) {
  const best = result.moments[0];
  await showLibraryVideo(best.video, result, truth);
  listAnswers(result.moments, m => showLibraryVideo(m.video, result, truth).then(() => play(m.start, m.end)));
  describeMatch(best);
}

async function showLibraryVideo(index, result, truth) {
  const v = state.library[index];
  if (state.world?.seed !== v.seed) {
    await show(await cmin.world(v.seed), `Library of ${LIBRARY_SIZE} videos: showing video ${index + 1}, seed ${v.seed}`);
  }
  state.view = {
    duration: v.duration,
    moments: result.moments.filter(m => m.video === index),
    truth: truth?.video === index ? truth : null,
  };
  redrawTimeline();
}

function listAnswers(moments, pick = m => play(m.start, m.end)) {
  const list = $('answers');
  list.replaceChildren();
  for (const m of moments) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    const { label, cls } = meaning(m.score);
    const where = m.video === undefined ? '' : `video ${m.video + 1} · `;
    button.innerHTML = `<span class="when"></span> <span class="score ${cls}"></span>`;
    button.querySelector('.when').textContent = `${where}${clock(m.start)}–${clock(m.end)}`;
    button.querySelector('.score').textContent = `${m.score.toFixed(2)} · ${label}`;
    button.onclick = () => pick(m);
    item.append(button);
    list.append(item);
  }
}

// What the best score means, in a sentence.
function describeMatch(best) {
  const match = $('match');
  if (!best) {
    match.textContent = '';
    return;
  }
  const { label, cls } = meaning(best.score);
  match.className = `match ${cls}`;
  match.textContent = cls === 'weak'
    ? `Nothing matches well: the best answer scores ${best.score.toFixed(2)}, what this model gives sentences about things the video does not hold.`
    : cls === 'uncalibrated'
      ? `Best answer: ${clock(best.start)}–${clock(best.end)}, score ${best.score.toFixed(2)} (what a score means was measured for the demo's model, not for these weights).`
      : `Best answer: ${clock(best.start)}–${clock(best.end)}, score ${best.score.toFixed(2)}, a ${label}.`;
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
  $('generate').onclick = () => guarded(() => start(Number($('seed').value)));
  $('curated').onchange = () => $('curated').value && guarded(() => start(Number($('curated').value)));
  for (const radio of document.querySelectorAll('input[name=mode]')) {
    radio.onchange = () => guarded(async () => {
      state.mode = radio.value;
      await start(Number($('seed').value));
    });
  }
  $('minutes').onchange = () => state.mode === 'long' && guarded(() => start(Number($('seed').value)));
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
    state.library = null;
    state.view = { duration, moments: [] };
    redrawTimeline();
    $('examples').replaceChildren();
    const ctx = $('stage').getContext('2d');
    ctx.fillStyle = '#f6f4ef';
    ctx.fillRect(0, 0, $('stage').width, $('stage').height);
    ctx.fillStyle = '#555';
    ctx.font = '16px sans-serif';
    ctx.fillText(`${file.name}: features only, nothing to draw`, 20, 40);
    $('now-showing').textContent = `${file.name}: ${video.numClips} clips, ${clock(duration)}`;
    showError(`Loaded ${file.name}: ${video.numClips} clips x ${video.featureDim}. Type a query.`);
  });
  $('weights').onchange = () => guarded(async () => {
    const file = $('weights').files[0];
    if (!file) return;
    const configFile = $('config').files[0];
    const config = configFile ? JSON.parse(await configFile.text()) : undefined;
    await loadModel(await file.arrayBuffer(), config);
  });

  const mode = params.get('mode');
  if (mode === 'long' || mode === 'library') {
    state.mode = mode;
    document.querySelector(`input[name=mode][value=${mode}]`).checked = true;
  }
  if (['5', '10', '30'].includes(params.get('minutes'))) $('minutes').value = params.get('minutes');
  $('seed').value = String(Number(params.get('seed') ?? 11));
  await loadModel();
  if (!state.world) await start(Number($('seed').value));
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
