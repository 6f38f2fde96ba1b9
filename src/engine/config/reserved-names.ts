/**
 * Names no feature, provider, client or alias may take: the properties every plain JavaScript object
 * inherits (`__proto__`, `constructor`, `toString`, …). Lookups by name are own-key only, so such a
 * name could never be found; worse, YAML and JSON parsers keep `__proto__` as a key that schema
 * validation then drops without a word. Refusing them at load time says so, with the path.
 */
import type { ConfigIssue } from '../../model/errors.js';

/** `Object.prototype`'s own property names, read from the runtime (so a new one is covered too). */
const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * True for a name every plain object inherits (`__proto__`, `constructor`, `toString`, `valueOf`, …).
 * @example isReservedName('constructor') // true; isReservedName('chat') // false
 */
export function isReservedName(name: string): boolean {
  return RESERVED.has(name);
}

/**
 * The value of `key` if `record` holds it as its own property (never an inherited one).
 * @example ownValue({ chat: 1 }, 'toString') // undefined
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The sections of a config document whose keys are names, and what each name names. */
const NAMED_SECTIONS: readonly { path: readonly string[]; what: string }[] = [
  { path: ['providers'], what: 'a provider' },
  { path: ['features'], what: 'a feature' },
  { path: ['gateway', 'clients'], what: 'a client' },
  { path: ['gateway', 'aliases'], what: 'an alias' },
];

/**
 * Issues for reserved names used as keys of `providers`, `features`, `gateway.clients` or
 * `gateway.aliases` in a raw config document (read before schema validation, which would drop `__proto__`).
 * @example reservedNameIssues(JSON.parse('{"features":{"__proto__":{"tier":"critical"}}}')) // [{ path: 'features.__proto__', … }]
 */
export function reservedNameIssues(doc: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const section of NAMED_SECTIONS) {
    let node: unknown = doc;
    for (const key of section.path) node = isPlainRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isPlainRecord(node)) continue;
    for (const name of Object.keys(node)) {
      if (!isReservedName(name)) continue;
      issues.push({
        path: `${section.path.join('.')}.${name}`,
        message: `"${name}" is a built-in JavaScript object property and cannot name ${section.what}: choose another name`,
      });
    }
  }
  return issues;
}
