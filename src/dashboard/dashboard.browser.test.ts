/**
 * The dashboard in a real headless Chromium (Debian's, `FAILSOFT_CHROMIUM` or /usr/bin/chromium): simulator, engine,
 * record and gateway in this process on 127.0.0.1, ports 0. The page loads without console errors, a provider the
 * simulator fails turns amber with words and comes back when the fault is cleared, a kill switch flipped on the page
 * (with the admin token) makes the next request a fallback, and a screenshot is kept under `.scratch/` (ignored by git).
 * Skipped when no Chromium is found, unless FAILSOFT_REQUIRE_SERVICES=1.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeRecords, type ServeRecords } from '../cli/serve-records.js';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { LineLog } from '../gateway/event-log.js';
import { startGateway, type RunningGateway } from '../gateway/gateway-server.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { createDashboard } from './index.js';

const CHROMIUM = process.env.FAILSOFT_CHROMIUM || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const REQUIRED = process.env.FAILSOFT_REQUIRE_SERVICES === '1';
const TOKEN = 'dashboard-browser-test-token';
const SCREENSHOT = resolve(process.cwd(), '.scratch', 'dashboard.png');

let sim: RunningSimulator;
let ai: Failsoft;
let records: ServeRecords;
let gateway: RunningGateway;
let browser: Browser;

/** One call to a feature through the gateway; returns who answered (`provider` or `fallback`) and the status. */
async function ask(feature: string): Promise<{ status: number; source: string | null }> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: feature,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'The build is green. Ship it today.' }],
    }),
  });
  await res.arrayBuffer();
  return { status: res.status, source: res.headers.get('x-failsoft-source') };
}

/** The page reads the state every second: give it a few rounds. */
const soon = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 5_000, interval: 100 });
const attr = (page: Page, testId: string, name: string): Promise<string | null> =>
  page.getAttribute(`[data-testid="${testId}"]`, name);
const text = (page: Page, testId: string): Promise<string | null> => page.textContent(`[data-testid="${testId}"]`);

describe.skipIf(CHROMIUM === undefined && !REQUIRED)('the dashboard in Chromium', () => {
  beforeAll(async () => {
    if (CHROMIUM === undefined)
      throw new Error(
        'FAILSOFT_REQUIRE_SERVICES=1 but no Chromium: set FAILSOFT_CHROMIUM or install /usr/bin/chromium',
      );
    sim = await startSimulator({ port: 0, host: '127.0.0.1' });
    ai = createFailsoft(
      {
        providers: {
          claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sim-key', limits: { rpm: 600 } },
          gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'sim-key' },
        },
        features: {
          summary: {
            tier: 'enhanced',
            route: ['claude/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'],
            fallback: { leadSentences: 1 },
          },
          chat: { tier: 'ai-only', route: ['gemini/gemini-2.5-flash'] },
        },
        // Fast breakers and modes that report recovery at once, so a fault and its end show within the test.
        policies: { breaker: { consecutiveFailures: 2, openMs: 300 }, modes: { settleMs: 0 } },
        jobs: {
          digest: {
            schedule: '0 * * * *',
            tz: 'UTC',
            command: ['true'],
            ai: { provider: 'claude', requests: 1200, minutes: 5 },
            flex: '30m',
          },
        },
      },
      { env: {} },
    );
    records = await startServeRecords(
      ai,
      { example: true, port: 0, strict: false },
      {},
      new LineLog('silent', () => undefined),
    );
    const readiness = () => ({
      ready: true,
      checks: [{ name: 'db', group: 'core', status: 'ok', detail: 'select 1 ok', ms: 2 }],
    });
    const pages = createDashboard({
      ai,
      host: '127.0.0.1',
      adminToken: TOKEN,
      incidents: records.incidents,
      jobRuns: records.store,
      readiness,
    });
    gateway = await startGateway({
      ai,
      port: 0,
      host: '127.0.0.1',
      adminToken: TOKEN,
      incidents: records.incidents,
      readiness,
      pages,
      metrics: false,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await records?.close();
    await ai?.close();
    await sim?.close();
  });

  it('shows a provider failing and recovering, flips a kill switch with the token, and logs no error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Without the token the page asks for it; once typed, it reads the state.
    await page.goto(`${gateway.url}/`);
    await soon(() => text(page, 'headline')).toBe('Enter the admin token to see the state');
    // A wrong token is dropped at once (polling on with it would spend the address's wrong-token allowance).
    await page.fill('#token', 'not-the-token');
    await page.click('#token-form button[type="submit"]');
    await soon(() => text(page, 'token-note')).toMatch(/^That token was refused: /);
    expect(await page.evaluate('sessionStorage.getItem("failsoft.adminToken")')).toBeNull();
    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await soon(() => text(page, 'headline')).toBe('AI OK; core OK');
    // The 401s that made the page ask are the browser's logged lines for them; from here on every read has the token.
    expect(consoleErrors.filter((line) => !line.includes('401 (Unauthorized)'))).toEqual([]);
    consoleErrors.length = 0;
    expect(await attr(page, 'banner', 'data-level')).toBe('ok');
    expect(await attr(page, 'provider-claude', 'data-level')).toBe('ok');
    // An expression string: this file is compiled without the DOM's types.
    expect(await page.evaluate('sessionStorage.getItem("failsoft.adminToken")')).toBe(TOKEN);
    // Today's planned load of the digest job, drawn by uPlot.
    await soon(() => page.locator('[data-testid="load-claude"] canvas').count()).toBeGreaterThan(0);

    // claude fails: traffic fails over to gemini, claude's breaker opens, the page turns amber and says so.
    sim.setFaults({ anthropic: [{ kind: 'server_error' }] });
    for (let i = 0; i < 3; i++) expect((await ask('summary')).status).toBe(200);
    await soon(() => attr(page, 'provider-claude', 'data-level')).toBe('degraded');
    expect(await text(page, 'provider-words-claude')).toBe('down (circuit open): calls go to the next provider');
    expect(await attr(page, 'banner', 'data-level')).toBe('degraded');
    expect(await text(page, 'headline')).toBe('summary is served by a backup provider; core OK');
    await soon(() => page.locator('#incidents li[data-testid^="incident-"]').count()).toBeGreaterThan(0);
    await page.click('#incidents li[data-testid^="incident-"] button');
    await soon(() => page.locator('[data-testid="timeline"] li').count()).toBeGreaterThan(0);
    const eventsAtOpen = await page.locator('[data-testid="timeline"] li').count();
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`dashboard screenshot: ${SCREENSHOT}`);

    // The fault is cleared: after its open time a call probes claude, which closes; the page is green again.
    sim.clearFaults();
    await expect
      .poll(
        async () => {
          await ask('summary');
          return attr(page, 'provider-claude', 'data-level');
        },
        { timeout: 10_000, interval: 300 },
      )
      .toBe('ok');
    await soon(() => text(page, 'headline')).toBe('AI OK; core OK');
    // The open incident's timeline, still shown, grows with the recovery.
    await soon(() => page.locator('[data-testid="timeline"] li').count()).toBeGreaterThan(eventsAtOpen);
    expect(await page.textContent('[data-testid="timeline"]')).toContain('closed');

    // A kill switch flipped on the page (the admin API, with the token): the next call is the fallback.
    await page.click('[data-testid="switch-summary"]');
    await soon(() => attr(page, 'switch-summary', 'data-on')).toBe('false');
    expect(ai.switches.isEnabled('summary')).toBe(false);
    expect(await ask('summary')).toEqual({ status: 200, source: 'fallback' });
    await soon(() => text(page, 'headline')).toBe('summary is switched off (serving fallbacks); core OK');
    await page.click('[data-testid="switch-summary"]');
    await soon(() => attr(page, 'switch-summary', 'data-on')).toBe('true');

    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
