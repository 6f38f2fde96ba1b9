/**
 * `/dashboard/app.js`: polls `/dashboard/state` every second (fetch, so the admin token can ride in a header, which
 * an EventSource cannot send), keeps the admin token the operator types in sessionStorage (gone when the tab
 * closes), and flips kill switches through the admin API.
 */
export const APP_JS = `
import { renderState, renderTimeline } from './render.js';
import { drawLoad } from './chart.js';

const TOKEN_KEY = 'failsoft.adminToken';
const POLL_MS = 1000;
const PLAN_MS = 5 * 60 * 1000;
let lastState = null;
let lastOk = 0;
let planAt = 0;
/** Why the last token typed was dropped, shown until another is typed. */
let refusal = '';
/** Reads one after another: a read sent before a token was typed never lands after one sent with it. */
let reading = Promise.resolve();

function refreshNow() {
  reading = reading.then(refresh);
  return reading;
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function authHeaders() {
  const t = token();
  return t ? { authorization: 'Bearer ' + t } : {};
}

async function call(method, path, body) {
  const init = { method, cache: 'no-store', headers: authHeaders() };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  if (!res.ok) {
    const error = new Error((json && json.error && json.error.message) || 'HTTP ' + res.status);
    error.status = res.status;
    throw error;
  }
  return json;
}

function note(id, text, isError) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.className = isError ? 'error' : 'muted';
}

function canWrite() {
  return lastState !== null && lastState.writes === 'token';
}

async function toggle(path, on, what) {
  if (!token()) {
    note('switch-note', 'Enter the admin token above to flip switches.', true);
    document.getElementById('token').focus();
    return;
  }
  try {
    await call('POST', path, { enabled: on });
    note('switch-note', what + ' switched ' + (on ? 'on' : 'off') + ' at ' + new Date().toISOString().slice(11, 19) + 'Z.', false);
  } catch (error) {
    note('switch-note', 'Could not switch ' + what + ': ' + error.message, true);
  }
  await refreshNow();
}

const actions = {
  get canWrite() { return canWrite(); },
  toggleFeature: (name, on) => toggle('/admin/switches/features/' + encodeURIComponent(name), on, name),
  toggleGlobal: (on) => toggle('/admin/switches/global', on, 'AI'),
  openTimeline: (id) => {
    shownIncident = id;
    return showTimeline();
  },
};

/** The incident whose timeline is open: read again with each state while it is open, so it grows as it happens. */
let shownIncident = null;

async function showTimeline() {
  const id = shownIncident;
  if (id === null) return;
  try {
    const detail = await call('GET', '/dashboard/incidents/' + encodeURIComponent(id));
    if (id === shownIncident) renderTimeline(detail);
  } catch (error) {
    document.getElementById('timeline').textContent = 'Cannot read incident ' + id + ': ' + error.message;
  }
}

function switchNote(state) {
  if (state.writes !== 'token') return 'Read-only here: the server has no FAILSOFT_ADMIN_TOKEN, and without one the admin API refuses web pages. Set it to flip switches from this page.';
  return token() ? 'Switches take effect on the next request.' : 'Enter the admin token above to flip switches.';
}

async function refresh() {
  try {
    const state = await call('GET', '/dashboard/state');
    lastState = state;
    lastOk = Date.now();
    renderState(state, actions);
    document.getElementById('banner').classList.remove('stale');
    note('updated', 'updated ' + state.at.slice(11, 19) + 'Z, every second', false);
    if (!document.getElementById('switch-note').classList.contains('error')) note('switch-note', switchNote(state), false);
    note('token-note', token() ? 'Token kept for this tab only (sessionStorage).' : '', false);
    // The plan changes only with the config and the day: read once the state is readable, then every 5 minutes.
    const shown = state.incidents.list.find((i) => i.id === shownIncident);
    if (shown && shown.status === 'open') await showTimeline();
    if (Date.now() - planAt > PLAN_MS) {
      planAt = Date.now();
      void refreshPlan();
    }
  } catch (error) {
    document.getElementById('banner').classList.add('stale');
    if (error.status === 401 || error.status === 403 || error.status === 429) {
      // A refused token is dropped at once: polling on with it would spend the address's wrong-token allowance
      // (10 a minute) and lock the right token out too.
      if (error.status === 401 && token() !== '') {
        sessionStorage.removeItem(TOKEN_KEY);
        refusal = 'That token was refused: ' + error.message;
      }
      document.getElementById('headline').textContent = error.status === 403 ? 'The dashboard is off here' : 'Enter the admin token to see the state';
      note('token-note', refusal || error.message, true);
    } else {
      note('updated', 'cannot reach the gateway (' + error.message + ')' + (lastOk ? '; showing the state of ' + new Date(lastOk).toISOString().slice(11, 19) + 'Z' : ''), true);
    }
  }
}

async function refreshPlan() {
  try {
    drawLoad(await call('GET', '/dashboard/plan'));
  } catch (error) {
    document.getElementById('load-charts').textContent = 'Cannot read the plan: ' + error.message;
  }
}

async function loop() {
  await refreshNow();
  setTimeout(loop, POLL_MS);
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  const value = input.value.trim();
  input.value = '';
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  refusal = '';
  note('switch-note', '', false);
  void refreshNow();
});
document.getElementById('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  void refreshNow();
});

void loop();
`;
