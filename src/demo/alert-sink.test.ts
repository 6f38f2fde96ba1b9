import { afterEach, describe, expect, it } from 'vitest';
import { parseAlertBody, startAlertSink, type AlertSink } from './alert-sink.js';

let sink: AlertSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

const body = (status: string, id = 'inc_1') =>
  JSON.stringify({
    status,
    severity: 'warning',
    incident: { id, title: 't', openedAt: '2026-12-06T12:00:00Z', resolvedAt: null },
    summary: 'AI degraded',
  });

describe('the webhook alert sink', () => {
  it('reads the webhook body and refuses what is not one', () => {
    expect(parseAlertBody(body('firing'), 7)).toEqual({
      at: 7,
      status: 'firing',
      severity: 'warning',
      incidentId: 'inc_1',
      summary: 'AI degraded',
    });
    expect(parseAlertBody('not json', 0)).toBeUndefined();
    expect(parseAlertBody(JSON.stringify({ status: 'pending', incident: { id: 'x' } }), 0)).toBeUndefined();
    expect(parseAlertBody(JSON.stringify({ status: 'firing', incident: {} }), 0)).toBeUndefined();
  });

  it('keeps what is POSTed to it, in order, and wakes a waiter', async () => {
    sink = await startAlertSink();
    const waiting = sink.waitFor((a) => a.status === 'resolved', 5_000);
    const post = (text: string) =>
      fetch(sink?.url ?? '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    expect((await post(body('firing'))).status).toBe(204);
    expect((await post('{"hello":1}')).status).toBe(400);
    expect((await post(body('resolved'))).status).toBe(204);
    expect(await waiting).toBe(true);
    expect(sink.received().map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('a wait for an alert that never comes ends false at its timeout', async () => {
    sink = await startAlertSink();
    expect(await sink.waitFor((a) => a.incidentId === 'nope', 50)).toBe(false);
  });
});
