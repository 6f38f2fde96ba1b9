import { describe, expect, it } from 'vitest';
import { ClientKeys, hashClientKey, presentedKey } from './client-keys.js';

const hex = (key: string): string => hashClientKey(key).slice('sha256:'.length);

describe('client keys', () => {
  it('reads the key from Authorization: Bearer (OpenAI SDK) or x-api-key (Anthropic SDK)', () => {
    expect(presentedKey({ authorization: 'Bearer k-1' })).toBe('k-1');
    expect(presentedKey({ authorization: 'bearer  k-2 ' })).toBe('k-2');
    expect(presentedKey({ 'x-api-key': 'k-3' })).toBe('k-3');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('hashes keys in the config form sha256:<hex>', () => {
    expect(hashClientKey('my-secret')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashClientKey('my-secret')).toBe(hashClientKey('my-secret'));
    expect(hashClientKey('my-secret')).not.toBe(hashClientKey('my-secreT'));
  });

  it('with no clients configured, everyone may call everything', () => {
    const keys = new ClientKeys({});
    expect(keys.enabled).toBe(false);
    expect(keys.identify({})).toEqual({ ok: true, client: undefined });
    expect(keys.allows(undefined, 'chat')).toBe(true);
  });

  it('identifies a client by its key hash, refuses missing and unknown keys, and enforces its features list', () => {
    const keys = new ClientKeys({
      cron: { name: 'cron', keyHash: hex('cron-key'), features: ['summary'], priority: 'batch' },
      app: { name: 'app', keyHash: hex('app-key') },
    });
    expect(keys.enabled).toBe(true);
    const cron = keys.identify({ authorization: 'Bearer cron-key' });
    expect(cron).toMatchObject({ ok: true, client: { name: 'cron', priority: 'batch' } });
    const app = keys.identify({ 'x-api-key': 'app-key' });
    expect(app).toMatchObject({ ok: true, client: { name: 'app' } });
    expect(keys.identify({})).toEqual({ ok: false, reason: 'missing' });
    expect(keys.identify({ 'x-api-key': 'cron-ke' })).toEqual({ ok: false, reason: 'unknown' });
    if (!cron.ok || !app.ok) throw new Error('unreachable');
    expect(keys.allows(cron.client, 'summary')).toBe(true);
    expect(keys.allows(cron.client, 'chat')).toBe(false);
    expect(keys.allows(app.client, 'chat')).toBe(true);
  });

  it("optional clients (the job runner's per-job keys) are known by their key but never make keys required", () => {
    const job = { name: 'job.digest', keyHash: hex('job-key'), priority: 'batch' as const, optional: true };
    const open = new ClientKeys({ 'job.digest': job });
    expect(open.enabled).toBe(false);
    expect(open.identify({ authorization: 'Bearer job-key' })).toMatchObject({
      ok: true,
      client: { name: 'job.digest', priority: 'batch' },
    });
    expect(open.identify({})).toEqual({ ok: true, client: undefined });
    expect(open.identify({ authorization: 'Bearer sk-someone-else' })).toEqual({ ok: true, client: undefined });
    const keyed = new ClientKeys({ 'job.digest': job, app: { name: 'app', keyHash: hex('app-key') } });
    expect(keyed.enabled).toBe(true);
    expect(keyed.identify({ authorization: 'Bearer job-key' })).toMatchObject({
      ok: true,
      client: { name: 'job.digest' },
    });
    expect(keyed.identify({})).toEqual({ ok: false, reason: 'missing' });
    expect(keyed.identify({ 'x-api-key': 'nope' })).toEqual({ ok: false, reason: 'unknown' });
  });
});
