/**
 * `/dashboard/chart.js`: today's planned load of each provider against its budget (the usable share and the limit),
 * one uPlot chart per provider, from `/dashboard/plan`. uPlot comes from its IIFE build (`globalThis.uPlot`).
 */
export const CHART_JS = `
import { el } from './render.js';

const COLOURS = ['#0969da', '#8250df', '#bf3989', '#1a7f37'];

function seriesOf(p, colour) {
  const series = [{}, { label: 'planned ' + p.dimension + '/min', stroke: colour, fill: colour + '22', width: 1.5 }];
  if (p.usable !== null) series.push({ label: 'usable budget', stroke: '#9a6700', dash: [6, 4], width: 1 });
  if (p.limit !== null) series.push({ label: 'limit', stroke: '#cf222e', width: 1 });
  return series;
}

/** A grey line at the present minute, so the rest of the day's load reads as what is still to come. */
function markNow(u) {
  const x = u.valToPos(Date.now() / 1000, 'x', true);
  if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = '#57606a';
  ctx.setLineDash([2, 3]);
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

/** Draws the charts into #load-charts (replacing those drawn before); says so when there is nothing to draw. */
export function drawLoad(plan) {
  const box = document.getElementById('load-charts');
  box.replaceChildren();
  if (plan.providers.length === 0) {
    box.append(el('p', { className: 'muted' }, 'No planned AI load today (no job with an ai: estimate runs today).'));
    return;
  }
  const uPlot = globalThis.uPlot;
  if (typeof uPlot !== 'function') {
    box.append(el('p', { className: 'error' }, 'The chart library (uPlot) did not load.'));
    return;
  }
  const start = new Date(plan.day).getTime() / 1000;
  const xs = plan.providers[0].perMinute.map((_, i) => start + i * 60);
  const width = Math.max(320, Math.min(1100, box.clientWidth || 800));
  plan.providers.forEach((p, index) => {
    const holder = el('div', { className: 'load-chart', 'data-testid': 'load-' + p.provider });
    const limitText = p.limit === null ? 'no limit configured' : 'limit ' + p.limit + ', usable ' + Math.round(p.usable);
    holder.append(el('p', { className: 'muted' }, p.provider + ': ' + p.dimension + ' per minute, peak ' + p.peak + ' (' + limitText + ')'));
    box.append(holder);
    const data = [xs, p.perMinute];
    if (p.usable !== null) data.push(xs.map(() => p.usable));
    if (p.limit !== null) data.push(xs.map(() => p.limit));
    new uPlot({
      width, height: 180, series: seriesOf(p, COLOURS[index % COLOURS.length]),
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, p.limit || 0) * 1.1 || 1] } },
      axes: [{ values: (u, splits) => splits.map((t) => new Date(t * 1000).toISOString().slice(11, 16)) }, { size: 50 }], tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      hooks: { draw: [markNow] },
    }, data, holder);
  });
}
`;
