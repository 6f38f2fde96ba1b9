import type { Clock } from '../model/clock.js';
import { FaultRuleSet, parseFaultDocument, type FaultDocument } from './fault-rules.js';
import { mulberry32 } from '../model/random.js';
import { ProviderLimits, parseLimitsDocument, type ProviderLimitsConfig } from './provider-limits.js';
import type { SimProtocol } from './sim-protocol.js';
import { copyProviderStats, emptyProviderStats, type ProviderStats, type SimStats } from './sim-stats.js';

/** One simulated provider: its protocol, configuration and live fault/limit/stat state. */
export interface SimProviderState {
  readonly name: string;
  readonly protocol: SimProtocol;
  /** The only API key accepted, or undefined to accept any non-empty key. */
  readonly acceptedKey: string | undefined;
  /** Answers without a key too (and with any), as local servers (Ollama, vLLM, llama.cpp) do. */
  readonly keyless: boolean;
  readonly models: readonly string[];
  faults: FaultRuleSet | undefined;
  limits: ProviderLimits | undefined;
  stats: ProviderStats;
}

/** Fixed settings of a running simulator. */
export interface SimulatorSettings {
  clock: Clock;
  seed: number;
  chunkDelayMs: number;
  maxBodyBytes: number;
}

/**
 * Everything the simulator knows at run time. The request path reads the providers' mutable fields
 * directly (no lookups, no validation); the control API and `RunningSimulator` change them here.
 */
export class SimulatorState {
  readonly providers = new Map<string, SimProviderState>();
  readonly names: readonly string[];
  readonly random: () => number;

  constructor(
    providers: readonly SimProviderState[],
    readonly settings: SimulatorSettings,
  ) {
    for (const provider of providers) this.providers.set(provider.name, provider);
    this.names = providers.map((provider) => provider.name);
    this.random = mulberry32(settings.seed);
  }

  /** Validates a fault document and replaces the rules of the providers it names (`[]` clears one). */
  setFaults(input: unknown, root = 'faults'): void {
    const document = parseFaultDocument(input, this.names, root);
    for (const [name, rules] of Object.entries(document)) {
      const provider = this.providers.get(name);
      if (provider) provider.faults = rules.length > 0 ? new FaultRuleSet(rules) : undefined;
    }
  }

  /** Removes every fault rule. */
  clearFaults(): void {
    for (const provider of this.providers.values()) provider.faults = undefined;
  }

  /** The fault rules in force, as set. */
  faultDocument(): FaultDocument {
    const document: FaultDocument = {};
    for (const provider of this.providers.values()) {
      if (provider.faults) document[provider.name] = provider.faults.rules.map((rule) => ({ ...rule }));
    }
    return document;
  }

  /** Validates a limits document and replaces the limits of the providers it names (`null` removes). */
  setLimits(input: unknown, root = 'limits'): void {
    const document = parseLimitsDocument(input, this.names, root);
    for (const [name, config] of Object.entries(document)) {
      const provider = this.providers.get(name);
      if (provider) provider.limits = config ? new ProviderLimits(config, this.settings.clock) : undefined;
    }
  }

  /** Removes every limit. */
  clearLimits(): void {
    for (const provider of this.providers.values()) provider.limits = undefined;
  }

  /** The limits in force, as set. */
  limitsDocument(): Record<string, ProviderLimitsConfig> {
    const document: Record<string, ProviderLimitsConfig> = {};
    for (const provider of this.providers.values()) {
      if (provider.limits) document[provider.name] = { ...provider.limits.config };
    }
    return document;
  }

  /** A copy of every provider's counters. */
  stats(): SimStats {
    const stats: SimStats = {};
    for (const provider of this.providers.values()) stats[provider.name] = copyProviderStats(provider.stats);
    return stats;
  }

  /** Zeroes every provider's counters. */
  resetStats(): void {
    for (const provider of this.providers.values()) provider.stats = emptyProviderStats();
  }
}
