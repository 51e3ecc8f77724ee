// What CMIN makes of a query, drawn on the video's own time axis: the answers (best first,
// numbered) and the ground truth as spans of the timeline under the player, how well the query
// matches each stretch of the video as a strip along it, the playhead; and the clip-by-word
// attention as a heat map (paper Fig. 8).

// Score bands of the shipped world model, measured on its validation videos (never the test
// or hand-written sets): BENCHMARKS.md, "What a score means". A best answer under WEAK is what
// the model gives a sentence about something the video does not hold.
export const STRONG = 0.8;
export const WEAK = 0.4;

// Other weights than the demo's have bands of their own, unmeasured here: their scores are
// shown as numbers only.
let calibrated = true;
export function setCalibrated(value) {
  calibrated = value;
}

/** What a score says, in words (for the demo's model; other weights get the number alone). */
export function meaning(score) {
  if (!calibrated) return { label: 'score of your weights', cls: 'uncalibrated' };
  if (score >= STRONG) return { label: 'strong match', cls: 'strong' };
  if (score >= WEAK) return { label: 'possible match', cls: 'possible' };
  return { label: 'weak: probably not in this video', cls: 'weak' };
}

/** mm:ss (or s.s under a minute). */
export function clock(seconds) {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

// A tick step that gives about six labels over `duration` seconds.
function tickStep(duration) {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800]) if (duration / step <= 8) return step;
  return 3600;
}

/**
 * Draws the timeline into `container`: `view` is { duration, moments, truth, relevance, time }; `onPick(start, end)` plays an answer, `onSeek(seconds)` moves the
 * playhead.
 */
export function drawTimeline(container, view, onPick, onSeek) {
  const { duration, moments = [], truth = null } = view;
  container.replaceChildren();
  const pct = t => `${Math.max(0, Math.min(100, (100 * t) / duration))}%`;
  const track = document.createElement('div');
  track.className = 'track';
  track.title = 'click to move the playhead';
  track.onclick = e => {
    if (e.target.closest('.bar')) return;
    const box = track.getBoundingClientRect();
    onSeek(Math.max(0, Math.min(duration, ((e.clientX - box.left) / box.width) * duration)));
  };
  if (view.relevance?.length) {
    const strip = document.createElement('canvas');
    strip.className = 'relevance';
    drawRelevance(strip, view.relevance);
    strip.setAttribute('aria-label', 'how well the query matches each stretch of the video');
    track.append(strip);
  }
  const lane = (cls, label) => {
    const row = document.createElement('div');
    row.className = `lane ${cls}`;
    row.dataset.label = label;
    track.append(row);
    return row;
  };
  const bar = (row, cls, start, end, text, title) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `bar ${cls}`;
    b.style.left = pct(start);
    b.style.width = `max(6px, ${pct(end - start)})`;
    b.textContent = text;
    b.title = title;
    b.setAttribute('aria-label', title);
    b.onclick = () => onPick(start, end);
    row.append(b);
  };
  if (truth) {
    bar(lane('truth-lane', 'truth'), 'truth', truth.start, truth.end, '',
      `the answer: ${clock(truth.start)}–${clock(truth.end)}`);
  }
  const answers = lane('answers', 'answers');
  // Drawn worst first, so the best lies on top where answers overlap.
  [...moments.entries()].reverse().forEach(([i, m]) => {
    bar(answers, `${i ? 'other' : 'best'} ${meaning(m.score).cls}`, m.start, m.end, String(i + 1),
      `answer ${i + 1}: ${clock(m.start)}–${clock(m.end)}, score ${m.score.toFixed(2)} (${meaning(m.score).label})`);
  });
  const head = document.createElement('div');
  head.className = 'playhead';
  head.style.left = pct(view.time ?? 0);
  track.append(head);
  const axis = document.createElement('div');
  axis.className = 'axis';
  const step = tickStep(duration);
  for (let t = 0; t <= duration + 1e-9; t += step) {
    const tick = document.createElement('span');
    tick.style.left = pct(t);
    tick.textContent = clock(t);
    axis.append(tick);
  }
  container.append(track, axis);
}

/** Moves the playhead of a drawn timeline. */
export function movePlayhead(container, seconds, duration) {
  const head = container.querySelector('.playhead');
  if (head) head.style.left = `${Math.max(0, Math.min(100, (100 * seconds) / duration))}%`;
}

// Per clip, the best score of a moment covering it, on the scores' own scale (the bands of
// `meaning`), so a video where nothing matches stays pale.
function drawRelevance(canvas, relevance) {
  canvas.width = Math.max(1, relevance.length);
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  relevance.forEach((score, c) => {
    ctx.fillStyle = `rgba(106, 61, 154, ${(0.06 + 0.94 * score * score).toFixed(3)})`;
    ctx.fillRect(c, 0, 1, 1);
  });
}

// The clip axis gets a fixed height, so a 48-clip and a 600-clip video both fit on screen;
// each clip's row is at least one pixel, with clip numbers on the left.
const HEATMAP_PLOT_HEIGHT = 240;

export function drawHeatmap(canvas, attention, numClips, words) {
  const cell = Math.max(14, Math.min(40, Math.floor(480 / Math.max(1, words.length))));
  const labelHeight = 70;
  const axis = 40;
  const row = Math.max(1, HEATMAP_PLOT_HEIGHT / numClips);
  const top = c => labelHeight + Math.round(c * row);
  canvas.width = Math.max(200, axis + words.length * cell);
  canvas.height = top(numClips) + 4;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let max = 0;
  for (const a of attention) max = Math.max(max, a);
  for (let c = 0; c < numClips; c++) {
    for (let w = 0; w < words.length; w++) {
      const v = attention[c * words.length + w] / (max || 1);
      ctx.fillStyle = `rgb(${Math.round(255 - 150 * v)}, ${Math.round(255 - 195 * v)}, ${Math.round(255 - 100 * v)})`;
      ctx.fillRect(axis + w * cell, top(c), cell - 1, Math.max(1, top(c + 1) - top(c)));
    }
  }
  ctx.fillStyle = '#333';
  ctx.font = '12px system-ui, sans-serif';
  words.forEach((word, w) => {
    ctx.save();
    ctx.translate(axis + w * cell + cell / 2 + 3, labelHeight - 4);
    ctx.rotate(-Math.PI / 3);
    ctx.fillText(word, 0, 0);
    ctx.restore();
  });
  ctx.fillText('clip', 2, labelHeight - 16);
  for (let t = 0; t <= 4; t++) {
    const c = Math.round((t * (numClips - 1)) / 4);
    ctx.fillText(String(c + 1), 2, Math.min(canvas.height - 2, top(c) + row / 2 + 4));
  }
}

export function tiou(a, b) {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union > 0 ? inter / union : 0;
}
