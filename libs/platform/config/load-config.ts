import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type {
  ContextConfig,
  ContextConfigClass,
  ContextDescriptor,
} from '../context/context-descriptor.js';
import { AppConfig, DEV_JWT_SECRET } from './app-config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The validated config of each hosted context, by its class (the DI token). */
const contextConfigs = new WeakMap<AppConfig, Map<ContextConfigClass, object>>();

/** The hosted contexts' validated config instances, for the config module to provide. */
export function contextConfigsOf(config: AppConfig): Map<ContextConfigClass, object> {
  return contextConfigs.get(config) ?? new Map();
}

/** One hosted context's validated config, outside Nest (tooling, benchmarks, unit tests). */
export function contextConfig<T extends object>(config: AppConfig, cls: new () => T): T {
  const found = contextConfigsOf(config).get(cls);
  if (!found) throw new Error(`${cls.name}: its context is not hosted by this config`);
  return found as T;
}

const SECRET = /SECRET|PASSWORD|KEY/;

/**
 * Validates one config class against the environment: only the class's own variables are read,
 * and each problem is `NAME: why (got "value")` (secrets are never echoed).
 */
function validateClass<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined>,
  problems: string[],
): T {
  const input: Record<string, string> = {};
  for (const key of Object.keys(new cls())) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const config = plainToInstance(cls, input);
  for (const e of validateSync(config, { whitelist: false })) {
    const got = SECRET.test(e.property) ? '' : ` (got ${JSON.stringify(input[e.property])})`;
    problems.push(`${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}${got}`);
  }
  return config;
}

/**
 * Builds the typed config from an environment map: the platform's variables, then those of every
 * context the process hosts (`CONTEXTS`, default all of `contexts`) — a process that does not
 * host payments never needs payments' variables (`contexts` empty: the platform's only, for
 * tooling). Throws one ConfigError naming every bad variable
 * (and why), so boot fails fast with a message a person can act on.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  contexts: readonly ContextDescriptor[],
): AppConfig {
  const problems: string[] = [];
  const config = validateClass(AppConfig, env, problems);
  const known = contexts.map((c) => c.name);
  if (config.CONTEXTS.length === 0) config.CONTEXTS = known;
  const unknown = config.CONTEXTS.filter((name) => !known.includes(name));
  // No descriptors: platform-only tooling (e.g. test setup reading DATABASE_URL) — nothing to check.
  if (known.length > 0 && unknown.length > 0) {
    problems.push(
      `CONTEXTS: unknown context(s) ${unknown.join(', ')} (known: ${known.join(', ')}) (got ${JSON.stringify(env.CONTEXTS)})`,
    );
  }
  if (config.isProduction && config.JWT_SECRET === DEV_JWT_SECRET) {
    problems.push(
      'JWT_SECRET: must be set in production (the built-in value is for development only)',
    );
  }
  if (config.isProduction && config.LOG_FORMAT === 'pretty')
    problems.push('LOG_FORMAT: pretty is for development; production logs JSON');
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  if (config.ADMIN_PASSWORD && !config.ADMIN_EMAIL)
    problems.push('ADMIN_EMAIL: required when ADMIN_PASSWORD is set');

  const hosted = new Map<ContextConfigClass, object>();
  for (const context of contexts) {
    if (!context.config || !config.CONTEXTS.includes(context.name)) continue;
    const before = problems.length;
    const instance: ContextConfig = validateClass(context.config, env, problems);
    // Cross-field checks only on values that passed their own validation.
    if (problems.length === before) problems.push(...(instance.problems?.(config) ?? []));
    hosted.set(context.config, instance);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment variable(s):\n  - ${problems.join('\n  - ')}`);
  }
  contextConfigs.set(config, hosted);
  return config;
}
