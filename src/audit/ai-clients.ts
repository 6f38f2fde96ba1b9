/**
 * What counts as reaching an AI API: the packages that call one (SDKs, frameworks, failsoft itself) and the
 * providers' API hosts written literally in code. A tier-1 file that reaches any of these depends on AI.
 */

/** Packages that are AI clients whatever their subpath; `@scope/*` means every package of the scope. */
const AI_PACKAGES: readonly string[] = [
  'openai',
  '@anthropic-ai/*',
  '@google/genai',
  '@google/generative-ai',
  '@google-cloud/vertexai',
  '@mistralai/*',
  'cohere-ai',
  'groq-sdk',
  'together-ai',
  'replicate',
  'ollama',
  '@huggingface/inference',
  '@aws-sdk/client-bedrock-runtime',
  'ai',
  '@ai-sdk/*',
  'langchain',
  '@langchain/*',
  'llamaindex',
  '@llamaindex/*',
  'failsoft',
];

/** Subpaths of AI packages that never call an API: failsoft's test helpers (scripted adapters, the simulator). */
const SAFE_SUBPATHS: readonly string[] = ['failsoft/testing'];

/** Providers' API hosts: a string literal containing one (case-insensitive) is a direct call. */
export const AI_HOSTS: readonly string[] = [
  'api.openai.com',
  'openai.azure.com',
  'api.anthropic.com',
  'generativelanguage.googleapis.com',
  'aiplatform.googleapis.com',
  'api.mistral.ai',
  'api.cohere.ai',
  'api.cohere.com',
  'api.groq.com',
  'api.together.xyz',
  'api.together.ai',
  'api.fireworks.ai',
  'api.deepseek.com',
  'api.x.ai',
  'api.perplexity.ai',
  'openrouter.ai',
];

/**
 * The package a bare specifier names (`@scope/name` or `name`), or undefined for a relative, absolute,
 * `#internal` or `node:` specifier.
 * @example packageNameOf('@anthropic-ai/sdk/resources') // '@anthropic-ai/sdk'
 */
export function packageNameOf(specifier: string): string | undefined {
  if (
    specifier === '' ||
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    specifier.startsWith('#') ||
    specifier.includes(':')
  )
    return undefined;
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 && parts[1] !== '' ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0];
}

/**
 * Whether importing `specifier` from package `name` reaches an AI API. `allow`: client names the project has
 * declared harmless (config `audit.allow`), matched like the built-in list (`@scope/*` allowed).
 * @example isAiPackage('openai', 'openai/helpers/zod') // true
 */
export function isAiPackage(name: string, specifier: string, allow: readonly string[] = []): boolean {
  if (SAFE_SUBPATHS.some((safe) => specifier === safe || specifier.startsWith(`${safe}/`))) return false;
  if (allow.some((entry) => matchesPackage(entry, name))) return false;
  return AI_PACKAGES.some((entry) => matchesPackage(entry, name));
}

function matchesPackage(entry: string, name: string): boolean {
  return entry.endsWith('/*') ? name.startsWith(entry.slice(0, -1)) : entry === name;
}

/**
 * The first provider API host `text` contains (not in `allow`), or undefined.
 * @example aiHostIn('https://api.openai.com/v1/chat/completions') // 'api.openai.com'
 */
export function aiHostIn(text: string, allow: readonly string[] = []): string | undefined {
  const lower = text.toLowerCase();
  return AI_HOSTS.find((host) => lower.includes(host) && !allow.includes(host));
}
