// The client-side parse as an SVG: words in a row, labelled arcs from head to dependent.
const NS = 'http://www.w3.org/2000/svg';

export function drawParseTree(svg, parse) {
  svg.replaceChildren();
  const n = parse.tokens.length;
  if (!n) return;
  const gap = 14;
  const widths = parse.tokens.map(t => Math.max(28, t.length * 8.5));
  const xs = [];
  let x = 10;
  for (const w of widths) {
    xs.push(x + w / 2);
    x += w + gap;
  }
  const spans = parse.heads.map((h, i) => (h ? Math.abs(h - 1 - i) : 0));
  const height = 40 + 22 * Math.max(1, ...spans);
  const base = height - 30;
  svg.setAttribute('viewBox', `0 0 ${x} ${height}`);
  svg.setAttribute('width', x);
  svg.setAttribute('height', height);
  parse.tokens.forEach((token, i) => {
    const text = el('text', { x: xs[i], y: base + 20, 'text-anchor': 'middle', class: 'token' });
    text.textContent = token;
    svg.append(text);
    const head = parse.heads[i];
    if (!head) {
      const root = el('text', { x: xs[i], y: base - 4, 'text-anchor': 'middle', class: 'label root' });
      root.textContent = 'root';
      svg.append(root);
      return;
    }
    const [a, b] = [xs[head - 1], xs[i]];
    const top = base - 20 * spans[i];
    const path = el('path', { d: `M${a},${base} C${a},${top} ${b},${top} ${b},${base - 2}`, class: 'arc', 'marker-end': 'url(#arrow)' });
    svg.append(path);
    const label = el('text', { x: (a + b) / 2, y: top + 0.25 * (base - top) - 3, 'text-anchor': 'middle', class: 'label' });
    label.textContent = parse.deprels[i];
    svg.append(label);
  });
  const defs = el('defs', {});
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 6 6', refX: 5, refY: 3, markerWidth: 6, markerHeight: 6, orient: 'auto' });
  marker.append(el('path', { d: 'M0,0 L6,3 L0,6 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.prepend(defs);
}

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
