import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { AIUnavailableError } from '../model/errors.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { UsageError } from './cli-command.js';
import {
  describeSimulator,
  loadSimDocument,
  parseProviderSpec,
  parseSimArgs,
  simCommand,
  startSimFromCli,
} from './sim-command.js';

describe('failsoft sim flags', () => {
  it('defaults to port 8700 on 127.0.0.1, a 15 ms chunk delay and the three providers', () => {
    expect(parseSimArgs([])).toEqual({
      port: 8700,
      host: '127.0.0.1',
      faultsFile: undefined,
      limitsFile: undefined,
      providers: { anthropic: 'anthropic', openai: 'openai', gemini: 'gemini' },
      keyless: [],
      chunkDelayMs: 15,
      seed: undefined,
      help: false,
    });
  });

  it('adds --provider NAME=PROTOCOL entries to the defaults (repeatable, last one wins)', () => {
    const options = parseSimArgs([
      '--provider',
      'groq=openai',
      '--provider',
      'claude-eu=anthropic',
      '--provider',
      'openai=gemini',
    ]);
    expect(options.providers).toEqual({
      anthropic: 'anthropic',
      openai: 'gemini',
      gemini: 'gemini',
      groq: 'openai',
      'claude-eu': 'anthropic',
    });
    // They stand for compatible servers, which (like Ollama, vLLM, llama.cpp) take requests without a key.
    expect(options.keyless).toEqual(['groq', 'claude-eu', 'openai']);
  });

  it('rejects malformed --provider values', () => {
    expect(parseProviderSpec('vertex=gemini')).toEqual(['vertex', 'gemini']);
    expect(() => parseProviderSpec('groq')).toThrow(UsageError);
    expect(() => parseProviderSpec('=openai')).toThrow(/expected NAME=PROTOCOL/);
    expect(() => parseProviderSpec('a/b=openai')).toThrow(/expected NAME=PROTOCOL/);
    expect(() => parseProviderSpec('__proto__=openai')).toThrow(UsageError);
    expect(() => parseProviderSpec('constructor=openai')).toThrow(/a name every JavaScript object has/);
    expect(() => parseProviderSpec('_sim=openai')).toThrow(/expected NAME=PROTOCOL/);
    expect(() => parseProviderSpec('groq=cohere')).toThrow(
      '--provider groq=cohere: unknown protocol "cohere" (use anthropic, openai, gemini)',
    );
  });

  it('parses numbers strictly', () => {
    expect(parseSimArgs(['--port', '0', '--chunk-delay', '0', '--seed', '42'])).toMatchObject({
      port: 0,
      chunkDelayMs: 0,
      seed: 42,
    });
    expect(() => parseSimArgs(['--port', '70000'])).toThrow('--port 70000: expected an integer from 0 to 65535');
    expect(() => parseSimArgs(['--chunk-delay', 'fast'])).toThrow(UsageError);
    expect(() => parseSimArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseSimArgs(['stray'])).toThrow(UsageError);
  });
});

describe('fault and limit files', () => {
  async function file(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'failsoft-sim-'));
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('reads YAML and JSON', async () => {
    const yaml = await file('faults.yaml', 'openai:\n  - kind: overloaded\n    rate: 0.2\n');
    expect(await loadSimDocument(yaml, 'faults', ['openai'])).toEqual({ openai: [{ kind: 'overloaded', rate: 0.2 }] });
    const json = await file('limits.json', '{"anthropic": {"rpm": 50, "itpm": 40000}}');
    expect(await loadSimDocument(json, 'limits', ['anthropic'])).toEqual({ anthropic: { rpm: 50, itpm: 40000 } });
    expect(await loadSimDocument(await file('empty.yaml', ''), 'faults', ['openai'])).toEqual({});
  });

  it('names the file and the bad path', async () => {
    const path = await file('faults.yaml', 'openai:\n  - kind: overloaded\n  - kind: overloaded\n    rate: 2\n');
    await expect(loadSimDocument(path, 'faults', ['openai'])).rejects.toThrow(
      `${path}: faults.openai[1].rate: must be ≤ 1`,
    );
    const limits = await file('limits.yaml', 'groq: { rpm: 5 }\n');
    await expect(loadSimDocument(limits, 'limits', ['openai'])).rejects.toThrow(
      `${limits}: limits.groq: unknown provider (known: openai)`,
    );
    const broken = await file('broken.yaml', 'openai: [\n');
    await expect(loadSimDocument(broken, 'faults', ['openai'])).rejects.toThrow(`${broken}: not valid JSON or YAML`);
    await expect(loadSimDocument('/nonexistent/faults.yaml', 'faults', ['openai'])).rejects.toThrow(
      '/nonexistent/faults.yaml: cannot read faults file',
    );
  });

  it('stops start-up with exit code 2 on a bad file', async () => {
    const path = await file('faults.json', '{"openai": [{"kind": "melted"}]}');
    const err: string[] = [];
    const code = await simCommand.run(['--port', '0', '--faults', path], {
      out: () => undefined,
      err: (line) => err.push(line),
    });
    expect(code).toBe(2);
    expect(err[0]).toMatch(new RegExp(`^failsoft sim: ${path}: faults\\.openai\\[0\\]\\.kind: must be one of`));
  });
});

describe('a port that is taken', () => {
  it('stops start-up with exit 1, naming the port and --port', async () => {
    const held = createServer().listen(0, '127.0.0.1');
    await once(held, 'listening');
    const port = (held.address() as AddressInfo).port;
    try {
      const err: string[] = [];
      const code = await simCommand.run(['--port', String(port)], {
        out: () => undefined,
        err: (line) => err.push(line),
      });
      expect(code).toBe(1);
      expect(err).toEqual([`failsoft sim: cannot start: port ${port} is in use: pick another with --port`]);
    } finally {
      held.close();
    }
  });
});

describe('start-up banner', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => sim?.close());

  it('prints each provider with its SDK base URL and the control API', async () => {
    sim = await startSimulator({
      port: 0,
      providers: { anthropic: 'anthropic', openai: 'openai', local: 'openai' },
      keyless: ['local'],
    });
    const lines = describeSimulator(sim, { anthropic: 'anthropic', openai: 'openai', local: 'openai' }, ['local']);
    expect(lines[0]).toBe(`failsoft simulator listening on ${sim.url}`);
    expect(lines[1]).toMatch(new RegExp(`^  anthropic +${sim.url}/anthropic +\\(anthropic SDK base URL\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^  openai +${sim.url}/openai/v1 +\\(openai SDK base URL\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^  local +${sim.url}/local/v1 +\\(openai SDK base URL; no key needed\\)$`));
    expect(lines[4]).toMatch(new RegExp(`^  control API +${sim.url}/_sim +\\(faults, limits, stats\\)$`));
  });
});

describe('failsoft in front of `failsoft sim`, configured as README shows', () => {
  let sim: RunningSimulator | undefined;
  let ai: Failsoft | undefined;
  afterEach(async () => {
    await ai?.close();
    await sim?.close();
    ai = undefined;
    sim = undefined;
  });
  const ask = { messages: [{ role: 'user' as const, content: 'Hello there' }] };

  it('sim.urlFor(name) used as a provider baseUrl, as is, answers (OpenAI protocol included)', async () => {
    sim = await startSimFromCli(parseSimArgs(['--port', '0', '--chunk-delay', '0']));
    ai = createFailsoft(
      {
        providers: { gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' } },
        features: { chat: { tier: 'ai-only', route: ['gpt/gpt-4o-mini'] } },
      },
      { env: {} },
    );
    expect(await ai.generate('chat', ask)).toMatchObject({
      provider: 'gpt',
      source: 'provider',
      text: 'Simulated reply from openai (gpt-4o-mini): Hello there',
    });
  });

  it('a keyless openai-compatible provider is answered by a --provider NAME=openai, as by a local server', async () => {
    sim = await startSimFromCli(parseSimArgs(['--port', '0', '--chunk-delay', '0', '--provider', 'local=openai']));
    ai = createFailsoft(
      {
        providers: {
          local: { type: 'openai-compatible', baseUrl: sim.urlFor('local') },
          // The real OpenAI wants a key: the simulator's built-in openai still answers a missing one with 401.
          gpt: { type: 'openai', baseUrl: sim.urlFor('openai') },
        },
        features: {
          chat: { tier: 'ai-only', route: ['local/llama3.1:8b'] },
          strict: { tier: 'ai-only', route: ['gpt/gpt-4o-mini'] },
        },
      },
      { env: {} },
    );
    expect(await ai.generate('chat', ask)).toMatchObject({
      provider: 'local',
      text: 'Simulated reply from local (llama3.1:8b): Hello there',
    });
    await expect(ai.generate('strict', ask)).rejects.toThrow(AIUnavailableError);
    expect(sim.stats()['openai']?.statuses).toEqual({ '401': 1 });
  });
});
