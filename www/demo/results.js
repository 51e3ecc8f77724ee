// The top moments as bars on a timeline (with the ground truth), and the clip-by-word
// attention as a heat map (paper Fig. 8).
export function drawTimeline(container, moments, duration, truth, onPick) {
  container.replaceChildren();
  const row = (label, start, end, cls, title) => {
    const line = document.createElement('div');
    line.className = 'lane';
    const name = document.createElement('span');
    name.className = 'lane-label';
    name.textContent = label;
    const track = document.createElement('div');
    track.className = 'track';
    const bar = document.createElement('button');
    bar.className = `bar ${cls}`;
    bar.style.left = `${(100 * start) / duration}%`;
    bar.style.width = `${Math.max(0.5, (100 * (end - start)) / duration)}%`;
    bar.title = title;
    bar.setAttribute('aria-label', title);
    bar.onclick = () => onPick(start, end);
    track.append(bar);
    line.append(name, track);
    container.append(line);
  };
  if (truth) row('truth', truth.start, truth.end, 'truth', `ground truth ${fmt(truth.start)}–${fmt(truth.end)} s`);
  moments.forEach((m, i) => {
    const iou = truth ? ` (IoU ${tiou(m, truth).toFixed(2)})` : '';
    row(`#${i + 1} ${m.score.toFixed(2)}`, m.start, m.end, i ? 'other' : 'best', `moment ${i + 1}: ${fmt(m.start)}–${fmt(m.end)} s, score ${m.score.toFixed(3)}${iou}`);
  });
}

// The clip axis gets a fixed height, so a 48-clip and a 200-clip video both fit on screen;
// each clip's row is at least one pixel, with clip numbers on the left.
const HEATMAP_PLOT_HEIGHT = 240;

export function drawHeatmap(canvas, attention, numClips, words) {
  const cell = 14;
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
      ctx.fillStyle = `rgb(${Math.round(255 - 200 * v)}, ${Math.round(255 - 140 * v)}, 255)`;
      ctx.fillRect(axis + w * cell, top(c), cell - 1, Math.max(1, top(c + 1) - top(c)));
    }
  }
  ctx.fillStyle = '#333';
  ctx.font = '11px sans-serif';
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

const fmt = s => s.toFixed(1);
