// Draws one step of a synthetic-world video: each actor's shape, colour and size at its pose.
const COLOURS = { red: '#d62728', green: '#2ca02c', blue: '#1f77b4', yellow: '#e3b505', purple: '#9467bd' };

export function drawStage(canvas, world, step) {
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  ctx.fillStyle = '#f6f4ef';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#d9d4c7';
  ctx.beginPath();
  ctx.moveTo(0, h * 0.8);
  ctx.lineTo(w, h * 0.8);
  ctx.stroke();
  const poses = world.poses[Math.max(0, Math.min(world.steps - 1, step))];
  world.actors.forEach((actor, i) => {
    const pose = poses[i];
    if (pose.visible === false) return; // another scene's cast, in a long video
    const r = (actor.size === 'big' ? 0.07 : 0.045) * Math.min(w, h) * 1.6 * pose.scale;
    ctx.save();
    ctx.translate(pose.x * w, (1 - pose.y) * h);
    ctx.rotate(pose.rotation);
    ctx.fillStyle = COLOURS[actor.colour] ?? '#777';
    ctx.globalAlpha = Math.min(1, 0.55 + 0.45 * (pose.brightness - 1) + 0.45);
    if (pose.brightness > 1.05) {
      ctx.shadowColor = ctx.fillStyle;
      ctx.shadowBlur = 25 * (pose.brightness - 1);
    }
    shape(ctx, actor.shape, r);
    ctx.fill();
    ctx.restore();
  });
}

function shape(ctx, kind, r) {
  ctx.beginPath();
  if (kind === 'circle') {
    ctx.arc(0, 0, r, 0, 2 * Math.PI);
  } else if (kind === 'square') {
    ctx.rect(-r * 0.85, -r * 0.85, r * 1.7, r * 1.7);
  } else if (kind === 'triangle') {
    for (let k = 0; k < 3; k++) {
      const a = -Math.PI / 2 + (k * 2 * Math.PI) / 3;
      ctx.lineTo(r * 1.15 * Math.cos(a), r * 1.15 * Math.sin(a));
    }
  } else {
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 ? r * 0.5 : r * 1.15;
      ctx.lineTo(rr * Math.cos(a), rr * Math.sin(a));
    }
  }
  ctx.closePath();
}
