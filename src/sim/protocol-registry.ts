import type { SimProtocol, SimProtocolName } from './sim-protocol.js';

/** The wire protocols the simulator speaks. */
export const SIM_PROTOCOL_NAMES: readonly SimProtocolName[] = ['anthropic', 'openai', 'gemini'];

/**
 * Protocol modules, loaded on first use so a simulator only loads the protocols it serves.
 */
const loaders: Record<SimProtocolName, () => Promise<SimProtocol>> = {
  anthropic: async () => (await import('./anthropic/index.js')).anthropicSimProtocol,
  openai: async () => (await import('./openai/index.js')).openaiSimProtocol,
  gemini: async () => (await import('./gemini/index.js')).geminiSimProtocol,
};

/** Models each protocol lists by default (`GET …/models`). */
export const DEFAULT_SIM_MODELS: Record<SimProtocolName, readonly string[]> = {
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'],
  openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite'],
};

/** Is this string one of the simulator's protocol names? */
export function isSimProtocolName(value: string): value is SimProtocolName {
  return (SIM_PROTOCOL_NAMES as readonly string[]).includes(value);
}

/**
 * Loads a protocol module by name.
 * @example const openai = await loadSimProtocol('openai');
 */
export function loadSimProtocol(name: SimProtocolName): Promise<SimProtocol> {
  return loaders[name]();
}
