/**
 * `failsoft/testing`: tools for testing code that calls AI providers, without calling them.
 * The provider simulator serves the Anthropic, OpenAI and Gemini APIs locally with scriptable
 * faults (overloads, 429s, timeouts, resets, broken streams) and real token-bucket rate limits.
 */
export { startSimulator, SimDocumentError } from '../sim/start-simulator.js';
export type {
  SimulatorOptions,
  RunningSimulator,
  FaultDocument,
  FaultRule,
  FaultKind,
  LimitsDocument,
  ProviderLimitsConfig,
  SimStats,
  ProviderStats,
} from '../sim/start-simulator.js';
export type { SimProtocol, SimProtocolName } from '../sim/sim-protocol.js';
export { scriptedAdapter, type ScriptStep, type ScriptedCall } from './scripted-adapter.js';
export { driveClock, until, turn } from './drive-clock.js';
export { FakeClock } from '../model/fake-clock.js';
export { freePort } from './free-port.js';
