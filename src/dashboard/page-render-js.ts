/**
 * `/dashboard/render.js`: draws a `/dashboard/state` into the page. DOM nodes built with textContent only (state
 * text such as error messages and incident titles is never read as HTML). Written without template literals so
 * that it can live in this TypeScript string as is.
 */
export const RENDER_JS = `
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function pct(share) {
  return (share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0) + ' %';
}

export function ms(value) {
  return value < 1000 ? Math.round(value) + ' ms' : (value / 1000).toFixed(1) + ' s';
}

export function duration(value) {
  const s = Math.round(value / 1000);
  if (s < 90) return s + ' s';
  if (s < 5400) return Math.round(s / 60) + ' min';
  return (s / 3600).toFixed(1) + ' h';
}

export function clock(iso) {
  return iso ? new Date(iso).toISOString().slice(11, 19) : '';
}

export function relative(iso, now) {
  const diff = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(diff);
  const text = abs < 90 ? abs + ' s' : abs < 5400 ? Math.round(abs / 60) + ' min' : abs < 172800 ? Math.round(abs / 3600) + ' h' : Math.round(abs / 86400) + ' d';
  return diff >= 0 ? 'in ' + text : text + ' ago';
}

function badge(level, text, testId) {
  return el('span', { className: 'badge level-' + level, 'data-testid': testId }, text);
}

function providerCard(p) {
  const rows = [
    ['error rate', pct(p.errorRate)],
    ['latency p50 / p95', p.latencyMs ? ms(p.latencyMs.p50) + ' / ' + ms(p.latencyMs.p95) : 'no calls yet'],
  ];
  for (const b of p.budget) rows.push(['budget ' + b.dimension, Math.round(b.used) + ' of ' + b.limit + ' used (' + pct(b.share) + ')']);
  if (p.budget.length === 0) rows.push(['budget', 'no limit configured']);
  rows.push(['cool-down', p.coolingDownMs > 0 ? Math.ceil(p.coolingDownMs / 1000) + ' s left' : 'none']);
  if (p.concurrency) rows.push(['in flight', p.concurrency.active + ' of ' + p.concurrency.limit]);
  const models = p.models.map((m) => el('li', {}, m.model + ': ' + m.state + ', ' + m.requests + ' calls, ' + pct(m.errorRate) + ' errors' + (m.lastError ? ' (last: ' + m.lastError + ')' : '')));
  return el('article', { className: 'card level-' + p.level, 'data-testid': 'provider-' + p.name, 'data-state': p.state, 'data-level': p.level },
    el('h3', {}, el('span', {}, p.name + ' ', el('span', { className: 'muted' }, p.type)), badge(p.level, p.state)),
    el('p', { className: 'words', 'data-testid': 'provider-words-' + p.name }, p.words),
    el('dl', {}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('ul', { className: 'plain muted' }, models));
}

function featureRow(f) {
  return el('tr', { 'data-testid': 'feature-' + f.name, 'data-mode': f.mode, 'data-level': f.level },
    el('td', {}, f.name), el('td', {}, f.tier), el('td', {}, badge(f.level, f.mode, 'feature-mode-' + f.name)),
    el('td', {}, f.words), el('td', { className: 'muted' }, f.route.join(' → ') || 'no AI (critical)'));
}

function switchRow(label, on, testId, canWrite, onToggle) {
  return el('div', { className: 'switch' },
    el('span', {}, label + ': ', el('strong', {}, on ? 'on' : 'off')),
    el('button', { type: 'button', 'data-testid': testId, 'data-on': on ? 'true' : 'false', disabled: !canWrite, onclick: () => onToggle(!on) }, on ? 'switch off' : 'switch on'));
}

function jobRow(j, now) {
  const planned = j.plannedSchedule.join(', ');
  const moved = j.delayMinutes === 0 ? planned : j.schedule + ' → ' + planned + ' (+' + j.delayMinutes + ' min)';
  const last = j.lastRun
    ? j.lastRun.status + ' (run planned ' + relative(j.lastRun.plannedAt, now) + (j.lastRun.attempt > 1 ? ', attempt ' + j.lastRun.attempt : '') + ')' + (j.lastRun.detail ? ': ' + j.lastRun.detail : '')
    : 'no run yet';
  return el('tr', { 'data-testid': 'job-' + j.name },
    el('td', {}, j.name), el('td', {}, moved + ' ', el('span', { className: 'muted' }, j.tz)), el('td', {}, j.provider || '—'),
    el('td', {}, j.nextRun ? relative(j.nextRun, now) + ' (' + j.nextRun.slice(0, 16).replace('T', ' ') + 'Z)' : 'never'), el('td', {}, last));
}

function incidentItem(i, openTimeline) {
  const when = 'opened ' + i.openedAt.slice(0, 19).replace('T', ' ') + 'Z, ' + (i.status === 'open' ? 'open for ' : 'lasted ') + duration(i.durationMs);
  return el('li', { 'data-testid': 'incident-' + i.id },
    badge(i.status === 'open' ? (i.severity === 'critical' ? 'critical' : 'degraded') : 'unknown', i.status === 'open' ? i.severity : 'resolved'), ' ',
    el('button', { type: 'button', className: 'link', onclick: () => openTimeline(i.id) }, i.title), ' ',
    el('span', { className: 'muted' }, when));
}

function replace(id, ...children) {
  const node = document.getElementById(id);
  node.replaceChildren(...children.flat());
  return node;
}

/** Draws the whole state; actions: { toggleFeature(name, on), toggleGlobal(on), openTimeline(id), canWrite }. */
export function renderState(state, actions) {
  const now = new Date(state.at).getTime();
  const banner = document.getElementById('banner');
  banner.className = 'banner level-' + state.status.level;
  banner.dataset.level = state.status.level;
  replace('headline', state.status.headline);
  replace('providers', state.providers.map(providerCard));
  document.querySelector('#features tbody').replaceChildren(...state.features.map(featureRow));
  const switchable = state.features.filter((f) => f.switchable);
  replace('switches',
    switchRow('AI (every feature)', state.switches.aiEnabled, 'switch-global', actions.canWrite, (on) => actions.toggleGlobal(on)),
    switchable.map((f) => switchRow(f.name, f.enabled, 'switch-' + f.name, actions.canWrite, (on) => actions.toggleFeature(f.name, on))));
  replace('core', state.core.checked
    ? state.core.checks.map((c) => el('li', { 'data-testid': 'core-' + c.name }, badge(c.status === 'critical' ? 'critical' : c.status === 'ok' ? 'ok' : 'degraded', c.status), ' ' + c.name + ': ' + c.detail + (c.failingSince ? ' (failing since ' + clock(c.failingSince) + 'Z)' : '')))
    : el('li', { className: 'muted' }, 'No core checks configured (checks.core in the config): red appears only when one fails.'));
  const incidents = state.incidents;
  replace('incidents', !incidents.available
    ? el('li', { className: 'muted' }, incidents.error || 'no incident record')
    : incidents.list.length === 0 ? el('li', { className: 'muted' }, 'No incident in the last 24 hours.') : incidents.list.map((i) => incidentItem(i, actions.openTimeline)));
  document.querySelector('#jobs tbody').replaceChildren(...(state.jobs.jobs.length === 0
    ? [el('tr', {}, el('td', { colspan: 5, className: 'muted' }, 'No jobs in the config.'))]
    : state.jobs.jobs.map((j) => jobRow(j, now))));
  replace('jobs-note', state.jobs.notes.join(' '));
}

/** Draws an incident's timeline under the list. */
export function renderTimeline(detail) {
  replace('timeline',
    el('h3', {}, 'Timeline: ' + detail.title + ' (' + detail.status + ')'),
    el('ol', { 'data-testid': 'timeline' }, detail.events.map((e) => el('li', {}, el('time', {}, clock(e.at) + 'Z'), e.severity + ' ' + e.component + ': ' + e.message))));
}
`;
