/**
 * What a valid config can still get wrong for a server that is about to start: nothing to serve, or
 * a provider whose key is missing from the environment (every call to it would fail as `auth`, and
 * its breaker would open for the long auth period at the first request). `failsoft serve` prints the
 * warnings at start; with `--strict` every finding stops start-up.
 */
import type { ConfigIssue } from '../../model/errors.js';
import type { ResolvedConfig } from './resolve-config.js';

/** One finding: an error stops start-up; a warning is printed (and stops start-up under `--strict`). */
export interface ServingFinding extends ConfigIssue {
  severity: 'error' | 'warning';
}

/**
 * The start-up findings for a gateway serving `config`, errors first.
 * @example servingFindings(resolveConfig(doc)).filter((f) => f.severity === 'error')
 */
export function servingFindings(config: ResolvedConfig): ServingFinding[] {
  const findings: ServingFinding[] = [];
  const features = Object.values(config.features);
  // An error, not a warning: a gateway with no feature answers every AI request 404 while its health
  // checks say OK, so a deploy that lost its config (wrong path, truncated file) would look healthy.
  if (features.length === 0) {
    findings.push({
      severity: 'error',
      path: 'features',
      message:
        'no feature is configured: the gateway could serve nothing (every AI request would be 404); add at least one feature',
    });
  } else if (features.every((f) => f.tier === 'critical')) {
    // A warning: critical features are legitimate (health, audit); only the AI routes have nothing to do.
    findings.push({
      severity: 'warning',
      path: 'features',
      message: 'every feature is critical: the AI routes can serve none of them (critical features never call AI)',
    });
  }
  const routed = new Set(features.flatMap((f) => f.route.map((r) => r.provider)));
  for (const provider of Object.values(config.providers)) {
    if (provider.missingKeyEnv === undefined) continue;
    const consequence = routed.has(provider.name)
      ? `calls to ${provider.name} will fail (auth) until it is`
      : `no feature routes to ${provider.name} yet, so nothing fails until one does`;
    findings.push({
      severity: 'warning',
      path: `providers.${provider.name}.apiKeyEnv`,
      message: `${provider.missingKeyEnv} is not set: ${consequence}`,
    });
  }
  return findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
