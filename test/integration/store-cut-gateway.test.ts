/**
 * The database cut under load, seen from the user's side: a gateway whose engine's events are recorded (incident
 * tracker → batching writer → PostgreSQL through a TCP proxy the test opens and closes) keeps answering every request
 * as fast while the database is away; the records wait and are all written once it returns.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { createFailsoft } from '../../src/engine/failsoft.js';
import { startGateway } from '../../src/gateway/gateway-server.js';
import { startSimulator } from '../../src/sim/start-simulator.js';
import { IncidentTracker } from '../../src/store/incident-tracker.js';
import { openPostgresClient, PostgresStore } from '../../src/store/postgres-store.js';
import { RecordWriter } from '../../src/store/record-writer.js';
import type {
  EventRecord,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  SwitchRecord,
} from '../../src/store/records.js';
import type { RecordSink } from '../../src/store/store.js';
import { quantile } from '../scenarios/outage-rig.js';
import { startCutProxy } from './cut-proxy.js';
import { describeWithPostgres, postgresUrl } from './services.js';

/** The writer, counting the events handed to it: what "emitted" means. */
class CountingSink implements RecordSink {
  events = 0;
  constructor(private readonly writer: RecordWriter) {}
  appendEvent(event: EventRecord): void {
    this.events++;
    this.writer.appendEvent(event);
  }
  upsertIncident(incident: IncidentRecord): void {
    this.writer.upsertIncident(incident);
  }
  upsertJobRun(run: JobRunRecord): void {
    this.writer.upsertJobRun(run);
  }
  putSwitch(state: SwitchRecord): void {
    this.writer.putSwitch(state);
  }
  addAggregate(aggregate: RequestAggregate): void {
    this.writer.addAggregate(aggregate);
  }
}

describeWithPostgres('the database cut under load, through the gateway', () => {
  const url = new URL(postgresUrl ?? 'postgres://127.0.0.1:5432/test');
  const schema = `fs_cutgw_${Date.now().toString(36)}`;
  afterAll(async () => {
    const client = await openPostgresClient({ url: url.toString() });
    try {
      await client.exec(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.close();
    }
  });

  it('requests are unaffected while PostgreSQL is away; every event emitted meanwhile is written once it returns', async () => {
    const sim = await startSimulator({ port: 0 });
    const proxy = await startCutProxy(url.hostname, Number(url.port || 5432));
    const proxied = new URL(url.toString());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const store = new PostgresStore({ url: proxied.toString(), schema, connectTimeoutMs: 1_000 });
    await store.migrate();
    const writer = new RecordWriter(store, { backend: 'postgres', maxRetryMs: 1_000 });
    const sink = new CountingSink(writer);
    // A flapping primary: its breaker opens and closes again and again, so state changes flow all along.
    const ai = createFailsoft(
      {
        providers: {
          claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'k' },
          gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'k' },
        },
        features: {
          summary: {
            tier: 'enhanced',
            route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini'],
            fallback: { leadSentences: 1 },
          },
        },
        policies: { breaker: { consecutiveFailures: 2, openMs: 200 } },
      },
      { env: {} },
    );
    const tracker = new IncidentTracker({ sink, instance: 'cut-test', quietPeriodMs: 100 });
    const detach = tracker.attach(ai);
    const gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', log: () => undefined, graceMs: 0 });
    try {
      sim.setFaults({ anthropic: [{ kind: 'overloaded', rate: 0.5 }] });
      const phases = { before: [] as number[], cut: [] as number[], after: [] as number[] };
      let phase: keyof typeof phases = 'before';
      const statuses = new Map<number, number>();
      let running = true;
      const client = async (): Promise<void> => {
        while (running) {
          const started = performance.now();
          const response = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model: 'summary',
              messages: [{ role: 'user', content: 'Summarize:\nThe plant closed. Workers waited.' }],
            }),
          });
          await response.text();
          phases[phase].push(performance.now() - started);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      };
      const clients = Array.from({ length: 4 }, () => client());
      await sleep(1_500);
      phase = 'cut';
      proxy.cut();
      await sleep(3_000);
      const during = writer.status();
      phase = 'after';
      proxy.restore();
      await sleep(1_500);
      running = false;
      await Promise.all(clients);
      detach();
      tracker.stop();
      await writer.flush();
      const after = writer.status();

      console.log(
        `database cut through the gateway: ${phases.before.length}/${phases.cut.length}/${phases.after.length} requests before/during/after, p99 ${quantile(phases.before, 0.99).toFixed(1)}/${quantile(phases.cut, 0.99).toFixed(1)}/${quantile(phases.after, 0.99).toFixed(1)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${sink.events} events emitted, ${during.buffered} buffered during the cut`,
      );
      expect([...statuses.keys()]).toEqual([200]);
      expect(phases.cut.length).toBeGreaterThan(100);
      // As fast with the database away as with it there (the record is written off the request path).
      expect(quantile(phases.cut, 0.99)).toBeLessThanOrEqual(Math.max(50, 3 * quantile(phases.before, 0.99)));
      expect(during.connected).toBe(false);
      expect(during.buffered).toBeGreaterThan(0);
      expect(after).toMatchObject({ connected: true, buffered: 0, dropped: 0 });
      const check = await openPostgresClient({ url: url.toString() });
      try {
        const { rows } = await check.query(`select count(*) as n from "${schema}".failsoft_events`);
        expect(sink.events).toBeGreaterThan(20);
        expect(Number(rows[0]?.n)).toBe(sink.events);
      } finally {
        await check.close();
      }
    } finally {
      await gateway.close();
      await ai.close();
      await writer.close();
      await store.close();
      await proxy.close();
      await sim.close();
    }
  }, 30_000);
});
