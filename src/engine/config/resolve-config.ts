import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../model/errors.js';
import { zodIssues } from '../../model/validation.js';
import { closestName } from '../../model/suggest.js';
import type { ProviderType } from '../../providers/provider-adapter.js';
import {
  configSchema,
  type FailsoftConfig,
  type FallbackFunction,
  type FeatureConfig,
  type GatewayConfig,
  type ProviderConfig,
} from './config-schema.js';
import { leadSentences, textFallback } from '../fallbacks.js';
import { ownValue, reservedNameIssues } from './reserved-names.js';
import { corsWildcardIssue, normalizeCorsOrigin } from './cors-origins.js';
import { parseDurationText } from './duration.js';
import { resolveJobs, resolveScheduler } from './jobs-config.js';
import { resolveChecks } from './checks-config.js';
import { resolveAlerts } from './alerts-config.js';

export type {
  Tier,
  Priority,
  ResolvedRouteEntry,
  ResolvedFeature,
  ResolvedProvider,
  ResolvedGatewayClient,
  ResolvedGateway,
  ResolvedConfig,
  ResolvedStore,
  ResolveOptions,
} from './resolved-config.js';
import type {
  ResolvedRouteEntry,
  ResolvedFeature,
  ResolvedProvider,
  ResolvedGatewayClient,
  ResolvedGateway,
  ResolvedConfig,
  ResolvedStore,
  ResolveOptions,
} from './resolved-config.js';

const DEFAULT_BASE_URL: Record<ProviderType, string | undefined> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
  'openai-compatible': undefined,
};

export const DEFAULT_DEADLINE_MS = 30_000;
/** An incident closes once everything involved has been healthy this long (config `incidents.quietPeriod`). */
export const DEFAULT_QUIET_PERIOD_MS = 5 * 60_000;
/** An interactive call waits at most this long for budget, a cool-down or a same-provider retry. */
export const DEFAULT_MAX_WAIT_MS = 1_000;
/** The store's defaults (config `store.dir`, `store.retainDays`, `store.bufferRecords`). */
export const DEFAULT_STORE: ResolvedStore = { dir: './.failsoft', retainDays: 30, bufferRecords: 10_000 };

/** Parses `AI_ENABLED`-style text; undefined when absent, an issue when unreadable. */
function parseSwitch(value: string | undefined): boolean | undefined | 'invalid' {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return 'invalid';
}

function unknownProviderMessage(name: string, known: string[]): string {
  const close = closestName(name, known);
  const hint =
    close !== undefined
      ? ` (did you mean "${close}"?)`
      : known.length > 0
        ? ` (known: ${known.join(', ')})`
        : ' (no providers are configured)';
  return `unknown provider "${name}"${hint}`;
}

function resolveProvider(
  name: string,
  cfg: ProviderConfig,
  env: ResolveOptions['env'],
  allowSecrets: boolean,
  issues: ConfigIssue[],
): ResolvedProvider | undefined {
  const path = `providers.${name}`;
  if (cfg.apiKey !== undefined && !allowSecrets) {
    issues.push({
      path: `${path}.apiKey`,
      message: 'secrets do not belong in the config file: set apiKeyEnv to the name of an environment variable',
    });
  }
  const baseUrl = cfg.baseUrl ?? DEFAULT_BASE_URL[cfg.type];
  if (baseUrl === undefined) {
    issues.push({ path: `${path}.baseUrl`, message: `required for type ${cfg.type}` });
    return undefined;
  }
  const provider: ResolvedProvider = {
    name,
    type: cfg.type,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: cfg.headers ?? {},
    batchReserve: cfg.batchReserve ?? 0.2,
    streamUpstream: cfg.streamUpstream ?? true,
  };
  if (cfg.apiKey !== undefined) provider.apiKey = cfg.apiKey;
  else if (cfg.apiKeyEnv !== undefined) {
    // Own variables only: `apiKeyEnv: constructor` must not read the environment object's prototype.
    const key = env !== undefined && Object.hasOwn(env, cfg.apiKeyEnv) ? env[cfg.apiKeyEnv] : undefined;
    if (typeof key === 'string' && key !== '') provider.apiKey = key;
    else provider.missingKeyEnv = cfg.apiKeyEnv;
  }
  if (cfg.limits !== undefined) provider.limits = cfg.limits;
  if (cfg.attemptTimeoutMs !== undefined) provider.attemptTimeoutMs = cfg.attemptTimeoutMs;
  if (cfg.maxConcurrent !== undefined) provider.maxConcurrent = cfg.maxConcurrent;
  if (cfg.liveness !== undefined) provider.liveness = cfg.liveness;
  return provider;
}

function resolveFallback(cfg: FeatureConfig['fallback']): FallbackFunction | undefined {
  if (cfg === undefined) return undefined;
  if (typeof cfg === 'function') return cfg;
  const json = cfg.json === undefined ? undefined : JSON.stringify(cfg.json);
  const plain =
    'text' in cfg ? textFallback(cfg.text) : 'leadSentences' in cfg ? leadSentences(cfg.leadSentences) : undefined;
  if (json === undefined) return plain;
  if (plain === undefined) return () => json;
  return (request) => (request.responseFormat === undefined ? plain(request) : json);
}

function resolveFeature(
  name: string,
  cfg: FeatureConfig,
  providers: Record<string, ResolvedProvider>,
  issues: ConfigIssue[],
): ResolvedFeature {
  const path = `features.${name}`;
  const known = Object.keys(providers);
  const route: ResolvedRouteEntry[] = [];
  (cfg.route ?? []).forEach((entry, index) => {
    const slash = typeof entry === 'string' ? entry.indexOf('/') : -1;
    const provider = typeof entry === 'string' ? entry.slice(0, slash) : entry.provider;
    const model = typeof entry === 'string' ? entry.slice(slash + 1) : entry.model;
    if (!Object.hasOwn(providers, provider)) {
      issues.push({ path: `${path}.route[${index}]`, message: unknownProviderMessage(provider, known) });
      return;
    }
    const resolved: ResolvedRouteEntry = { provider, model, key: `${provider}/${model}` };
    if (typeof entry !== 'string' && entry.contextWindow !== undefined) resolved.contextWindow = entry.contextWindow;
    if (route.some((r) => r.key === resolved.key)) {
      issues.push({ path: `${path}.route[${index}]`, message: `"${resolved.key}" appears twice in the route` });
      return;
    }
    route.push(resolved);
  });
  if (cfg.tier === 'critical') {
    if (cfg.route !== undefined)
      issues.push({
        path: `${path}.route`,
        message: 'a critical feature must not have a route: critical features never depend on AI',
      });
    if (cfg.fallback !== undefined)
      issues.push({ path: `${path}.fallback`, message: 'a critical feature has no AI to fall back from' });
  } else {
    if (cfg.route === undefined || cfg.route.length === 0)
      issues.push({
        path: `${path}.route`,
        message: `a ${cfg.tier} feature needs at least one "provider/model" route entry`,
      });
  }
  if (cfg.tier === 'enhanced' && cfg.fallback === undefined) {
    issues.push({
      path: `${path}.fallback`,
      message: 'an enhanced feature must declare a fallback ({ text: "…" }, { leadSentences: n } or a function)',
    });
  }
  if (cfg.tier === 'ai-only' && cfg.fallback !== undefined) {
    issues.push({
      path: `${path}.fallback`,
      message: 'an ai-only feature never returns fallback text: make it enhanced, or remove the fallback',
    });
  }
  const feature: ResolvedFeature = {
    name,
    tier: cfg.tier,
    route,
    deadlineMs: cfg.deadlineMs ?? DEFAULT_DEADLINE_MS,
    priority: cfg.priority ?? 'interactive',
    maxRetries: cfg.maxRetries ?? 2,
    contentFilterFallover: cfg.contentFilterFallover ?? false,
    enabled: cfg.enabled ?? true,
    hedge: cfg.hedge ?? true,
    maxWaitMs: cfg.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  };
  const fallback = resolveFallback(cfg.fallback);
  if (fallback !== undefined && cfg.tier === 'enhanced') feature.fallback = fallback;
  if (cfg.maxOutputTokens !== undefined) feature.maxOutputTokens = cfg.maxOutputTokens;
  return feature;
}

/** A feature name the gateway can serve, or why not. */
function servableFeatureIssue(name: string, features: Record<string, ResolvedFeature>): string | undefined {
  const feature = ownValue(features, name);
  if (!feature) {
    const known = Object.keys(features);
    return `unknown feature "${name}"${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (no features are configured)'}`;
  }
  return feature.tier === 'critical'
    ? `feature "${name}" is critical: it is never served through AI routes`
    : undefined;
}

function resolveGateway(
  cfg: GatewayConfig | undefined,
  features: Record<string, ResolvedFeature>,
  issues: ConfigIssue[],
): ResolvedGateway {
  const clients: Record<string, ResolvedGatewayClient> = {};
  const hashes = new Map<string, string>();
  for (const [name, c] of Object.entries(cfg?.clients ?? {})) {
    const keyHash = c.keyHash.slice('sha256:'.length).toLowerCase();
    const twin = hashes.get(keyHash);
    if (twin !== undefined)
      issues.push({
        path: `gateway.clients.${name}.keyHash`,
        message: `same key as client "${twin}": every client needs its own key`,
      });
    hashes.set(keyHash, name);
    (c.features ?? []).forEach((feature, index) => {
      const issue = servableFeatureIssue(feature, features);
      if (issue) issues.push({ path: `gateway.clients.${name}.features[${index}]`, message: issue });
    });
    const client: ResolvedGatewayClient = { name, keyHash };
    if (c.features !== undefined) client.features = [...c.features];
    if (c.priority !== undefined) client.priority = c.priority;
    clients[name] = client;
  }
  const aliases: Record<string, string> = {};
  for (const [alias, feature] of Object.entries(cfg?.aliases ?? {})) {
    const path = `gateway.aliases.${alias}`;
    if (Object.hasOwn(features, alias))
      issues.push({ path, message: `"${alias}" is already a feature name: an alias cannot hide a feature` });
    const issue = servableFeatureIssue(feature, features);
    if (issue) issues.push({ path, message: issue });
    aliases[alias] = feature;
  }
  const corsOrigins = [...new Set((cfg?.corsOrigins ?? []).map(normalizeCorsOrigin))];
  const wildcard = corsWildcardIssue(corsOrigins, Object.keys(clients).length > 0);
  if (wildcard) issues.push({ path: 'gateway.corsOrigins', message: wildcard });
  return corsOrigins.length > 0 ? { clients, aliases, corsOrigins } : { clients, aliases };
}

/**
 * Validates a configuration document and resolves it (defaults, routes, secrets from the
 * environment). Throws `ConfigError` listing every bad key with its path.
 * @example resolveConfig({ providers: {}, features: { billing: { tier: 'critical' } } })
 */
export function resolveConfig(doc: unknown, options: ResolveOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  // Before the schema, which silently drops a `__proto__` key.
  const reserved = reservedNameIssues(doc);
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success)
    throw new ConfigError([...reserved, ...zodIssues(parsed.error, '', configSchema)], options.source);
  const cfg = parsed.data;
  const issues: ConfigIssue[] = [...reserved];
  const providers: Record<string, ResolvedProvider> = {};
  for (const [name, p] of Object.entries(cfg.providers ?? {})) {
    const resolved = resolveProvider(name, p, env, options.allowInlineSecrets ?? true, issues);
    if (resolved) providers[name] = resolved;
  }
  const features: Record<string, ResolvedFeature> = {};
  for (const [name, f] of Object.entries(cfg.features ?? {}))
    features[name] = resolveFeature(name, f, providers, issues);
  const gateway = resolveGateway(cfg.gateway, features, issues);
  const scheduling = resolveJobs(
    cfg.jobs,
    cfg.planning,
    Object.keys(cfg.providers ?? {}),
    (name) => unknownProviderMessage(name, Object.keys(cfg.providers ?? {})),
    issues,
  );
  const checks = cfg.checks === undefined ? undefined : resolveChecks(cfg.checks, issues);
  const alerts = cfg.alerts === undefined ? undefined : resolveAlerts(cfg.alerts, issues);
  const envSwitch = parseSwitch(env.AI_ENABLED);
  if (envSwitch === 'invalid')
    issues.push({ path: 'AI_ENABLED (environment)', message: `must be true or false, got "${env.AI_ENABLED}"` });
  if (issues.length > 0) throw new ConfigError(issues, options.source);
  return {
    aiEnabled: typeof envSwitch === 'boolean' ? envSwitch : (cfg.aiEnabled ?? true),
    providers,
    features,
    breaker: cfg.policies?.breaker ?? {},
    retry: cfg.policies?.retry ?? {},
    gateway,
    ...(cfg.policies?.liveness === undefined ? {} : { liveness: cfg.policies.liveness }),
    ...(cfg.policies?.hedge === undefined ? {} : { hedge: cfg.policies.hedge }),
    ...(cfg.policies?.modes?.settleMs === undefined ? {} : { modeSettleMs: cfg.policies.modes.settleMs }),
    ...(cfg.jobs === undefined ? {} : { jobs: scheduling.jobs }),
    ...(cfg.planning === undefined ? {} : { planning: scheduling.planning }),
    ...(cfg.scheduler === undefined ? {} : { scheduler: resolveScheduler(cfg.scheduler) }),
    ...(cfg.incidents?.quietPeriod === undefined
      ? {}
      : { incidents: { quietPeriodMs: parseDurationText(cfg.incidents.quietPeriod) ?? DEFAULT_QUIET_PERIOD_MS } }),
    ...(cfg.store === undefined ? {} : { store: { ...DEFAULT_STORE, ...definedOnly(cfg.store) } }),
    ...(checks === undefined ? {} : { checks }),
    ...(alerts === undefined ? {} : { alerts }),
  };
}

/** The object without its undefined values (so they do not override defaults). */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reads and validates a YAML (or JSON) config file. Secrets must come from the environment.
 * @example const config = await loadConfigFile('failsoft.yaml');
 */
export async function loadConfigFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '(file)', message: `cannot read: ${(error as Error).message}` }], path);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '(file)';
    throw new ConfigError(
      [{ path: where, message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }],
      path,
    );
  }
  // An empty file is a mistake (a wrong path, a truncated write), not "no settings": say so, whoever reads it.
  if (doc === null || doc === undefined)
    throw new ConfigError(
      [{ path: '(file)', message: 'is empty (or only comments): a config needs at least one feature' }],
      path,
    );
  return resolveConfig(doc, { env, source: path, allowInlineSecrets: false });
}

export type { FailsoftConfig };
