import { describe, expect, it } from 'vitest';
import { deriveAnswer } from './derive-answer.js';
import type { SimParsedRequest } from './sim-protocol.js';
import { planSlowStream, spacingOver } from './slow-stream.js';

function request(overrides: Partial<SimParsedRequest> = {}): SimParsedRequest {
  return {
    model: 'm1',
    stream: true,
    inputTokens: 5,
    maxOutputTokens: 4096,
    includeUsage: false,
    lastUserText: 'Summarise the incident report in two sentences',
    lastIsToolResult: false,
    tools: [],
    toolChoice: 'auto',
    ...overrides,
  };
}

function answerTo(req: SimParsedRequest): ReturnType<typeof deriveAnswer> {
  return deriveAnswer('fake', req, 0);
}

describe('slow_stream answers', () => {
  it('lengthens a text answer to durationMs / chunkDelayMs + 1 deltas, spanning exactly durationMs', () => {
    const req = request();
    const own = answerTo(req);
    const plan = planSlowStream({ kind: 'slow_stream', durationMs: 20_000 }, own, req);
    expect(plan.answer.textChunks).toHaveLength(41);
    expect(plan.totalMs).toBe(20_000);
    expect(spacingOver(plan.answer.textChunks.length, plan.totalMs)).toBe(500);
    expect(plan.answer.text).toBe(plan.answer.textChunks.join(''));
    expect(plan.answer.text.startsWith(`${own.text} ${own.textChunks[0] ?? ''}`)).toBe(true);
    expect(plan.answer.outputTokens).toBe(Math.ceil(plan.answer.text.length / 4));
    expect(plan.answer.stop).toBe('end');
  });

  it('takes chunks and chunkDelayMs as given', () => {
    const req = request();
    const plan = planSlowStream({ kind: 'slow_stream', chunks: 10, chunkDelayMs: 30 }, answerTo(req), req);
    expect(plan.answer.textChunks).toHaveLength(10);
    expect(plan.totalMs).toBe(270);
  });

  it('keeps the answer and paces its own deltas when the rule gives no length', () => {
    const req = request();
    const own = answerTo(req);
    const plan = planSlowStream({ kind: 'slow_stream' }, own, req);
    expect(plan.answer).toBe(own);
    expect(plan.totalMs).toBe((own.textChunks.length - 1) * 500);
  });

  it('never shortens an answer that already has more deltas than asked', () => {
    const req = request();
    const own = answerTo(req);
    expect(planSlowStream({ kind: 'slow_stream', chunks: 1 }, own, req).answer).toBe(own);
  });

  it('stops at the output cap like a real model: max_tokens, and a shorter stream', () => {
    const req = request({ maxOutputTokens: 40 });
    const plan = planSlowStream({ kind: 'slow_stream', chunks: 100, chunkDelayMs: 10 }, answerTo(req), req);
    expect(plan.answer.text).toHaveLength(160);
    expect(plan.answer.stop).toBe('max_tokens');
    expect(plan.answer.textChunks.length).toBeLessThan(100);
    expect(plan.totalMs).toBe((plan.answer.textChunks.length - 1) * 10);
  });

  it('spreads the total over the own deltas of answers that cannot grow (tool calls, JSON mode)', () => {
    const toolReq = request({ tools: [{ name: 'lookup' }], toolChoice: 'required' });
    const tool = answerTo(toolReq);
    const toolPlan = planSlowStream({ kind: 'slow_stream', durationMs: 2_000 }, tool, toolReq);
    expect(toolPlan.answer).toBe(tool);
    expect(toolPlan.totalMs).toBe(2_000);
    const jsonReq = request({ json: {} });
    const json = answerTo(jsonReq);
    const jsonPlan = planSlowStream({ kind: 'slow_stream', chunks: 5, chunkDelayMs: 100 }, json, jsonReq);
    expect(JSON.parse(jsonPlan.answer.text)).toEqual(JSON.parse(json.text));
    expect(jsonPlan.totalMs).toBe(400);
    expect(spacingOver(4, 300)).toBe(100);
    expect(spacingOver(1, 300)).toBe(0);
  });
});
