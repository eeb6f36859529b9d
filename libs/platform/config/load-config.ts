import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { resolve } from 'node:path';
import type {
  ContextConfig,
  ContextConfigClass,
  ContextDescriptor,
} from '../context/context-descriptor.js';
import { AppConfig } from './app-config.js';
import { ConfigError } from './config-error.js';
import { obtainSecrets, secretsOf, type SecretGenerator } from './secrets.js';
import { StorageConfig } from '../storage/storage.config.js';

/** Config classes of platform ports (beside AppConfig), validated for every process. */
const PLATFORM_CONFIGS: ContextConfigClass[] = [StorageConfig];

export { randomKeyring, randomSecret, Secret, type SecretGenerator } from './secrets.js';

export { ConfigError } from './config-error.js';

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

const SECRET = /SECRET|PASSWORD|KEY|TOKEN/;

/** A `@Secret` property the environment left unset, waiting for `resolveSecrets`. */
interface UnsetSecret {
  instance: object;
  name: string;
  generate: SecretGenerator;
}

/** Where a start's secrets came from, for the startup log line (`describeSecrets`). */
interface SecretsSource {
  file: string;
  names: string[];
  generated: string[];
}
const secretsSources = new WeakMap<AppConfig, SecretsSource>();

/** Each problem as `NAME: why (got "value")`; secrets' values are never echoed. */
function check(
  instance: object,
  input: Record<string, string>,
  problems: string[],
  secret: (name: string) => boolean,
  only?: (name: string) => boolean,
): void {
  for (const e of validateSync(instance, { whitelist: false })) {
    if (only && !only(e.property)) continue;
    const hidden = SECRET.test(e.property) || secret(e.property);
    const got = hidden ? '' : ` (got ${JSON.stringify(input[e.property])})`;
    problems.push(`${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}${got}`);
  }
}

/**
 * Validates one config class against the environment: only the class's own variables are read.
 * A `@Secret` the environment does not set is left for `resolveSecrets` (added to `unset`).
 */
function validateClass<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined>,
  problems: string[],
  unset: UnsetSecret[],
): T {
  const secrets = secretsOf(cls);
  const input: Record<string, string> = {};
  for (const key of new Set([...Object.keys(new cls()), ...secrets.keys()])) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const config = plainToInstance(cls, input);
  const missing = (name: string) => secrets.has(name) && !(name in input);
  check(
    config,
    input,
    problems,
    (name) => secrets.has(name),
    (name) => !missing(name),
  );
  for (const [name, generate] of secrets)
    if (missing(name)) unset.push({ instance: config, name, generate });
  return config;
}

/**
 * Fills the unset `@Secret` variables. Production: never generated, each one is a problem.
 * Elsewhere: from DATA_DIR/secrets.env, generated there on first need (`obtainSecrets`) — one
 * set per installation, shared by every process and restart; tests point DATA_DIR at one
 * directory per run (libs/testing).
 */
function resolveSecrets(config: AppConfig, unset: UnsetSecret[], problems: string[]): boolean {
  if (unset.length === 0) return true;
  if (config.isProduction) {
    for (const { name } of unset)
      problems.push(
        `${name}: must be set in production (secrets are never generated there, nor read from DATA_DIR)`,
      );
    return false;
  }
  // Nothing written for a start that fails anyway.
  if (problems.length > 0) return false;
  const file = resolve(config.DATA_DIR, 'secrets.env');
  let obtained: ReturnType<typeof obtainSecrets>;
  try {
    obtained = obtainSecrets(file, Object.fromEntries(unset.map((u) => [u.name, u.generate])));
  } catch (err) {
    problems.push(
      `DATA_DIR: cannot keep the generated secrets (${unset.map((u) => u.name).join(', ')}) in ${file}: ${(err as Error).message}; fix it, or set them in the environment`,
    );
    return false;
  }
  const before = problems.length;
  for (const { instance, name } of unset) {
    (instance as Record<string, unknown>)[name] = obtained.values[name];
    check(
      instance,
      {},
      problems,
      () => true,
      (property) => property === name,
    );
  }
  // A value edited by hand into the file is validated like one from the environment.
  for (let i = before; i < problems.length; i++) problems[i] += ` (in ${file})`;
  secretsSources.set(config, {
    file,
    names: unset.map((u) => u.name),
    generated: obtained.generated,
  });
  return problems.length === before;
}

/**
 * The startup log's line about secrets taken from DATA_DIR (where, which, whether this start
 * generated them — never a value); undefined when the environment set them all.
 */
export function describeSecrets(config: AppConfig): string | undefined {
  const source = secretsSources.get(config);
  if (!source) return undefined;
  const generated = source.generated.length
    ? `generated now: ${source.generated.join(', ')}`
    : 'generated on an earlier start';
  return `secrets ${source.names.join(', ')} from ${source.file} (${generated}; ${config.NODE_ENV} only — production must set them in the environment)`;
}

/**
 * Builds the typed config from an environment map: the platform's variables, then those of every
 * context the process hosts (`CONTEXTS`, default all of `contexts`) — a process that does not
 * host payments never needs payments' variables (`contexts` empty: the platform's only, for
 * tooling). `@Secret` variables the environment leaves unset are required in production and
 * otherwise come from DATA_DIR (`resolveSecrets`). Throws one ConfigError naming every bad
 * variable (and why), so boot fails fast with a message a person can act on.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  contexts: readonly ContextDescriptor[],
): AppConfig {
  const problems: string[] = [];
  const unset: UnsetSecret[] = [];
  const config = validateClass(AppConfig, env, problems, unset);
  const known = contexts.map((c) => c.name);
  if (config.CONTEXTS.length === 0) config.CONTEXTS = known;
  const unknown = config.CONTEXTS.filter((name) => !known.includes(name));
  // No descriptors: platform-only tooling (e.g. test setup reading DATABASE_URL) — nothing to check.
  if (known.length > 0 && unknown.length > 0) {
    problems.push(
      `CONTEXTS: unknown context(s) ${unknown.join(', ')} (known: ${known.join(', ')}) (got ${JSON.stringify(env.CONTEXTS)})`,
    );
  }
  if (config.isProduction && config.LOG_FORMAT === 'pretty')
    problems.push('LOG_FORMAT: pretty is for development; production logs JSON');
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD)
    problems.push('ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  if (config.ADMIN_PASSWORD && !config.ADMIN_EMAIL)
    problems.push('ADMIN_EMAIL: required when ADMIN_PASSWORD is set');

  const hosted = new Map<ContextConfigClass, object>();
  const valid: ContextConfig[] = [];
  const classes = contexts.flatMap((c) =>
    c.config && config.CONTEXTS.includes(c.name) ? [c.config] : [],
  );
  // The platform's own port configs first (validated, and injectable, like a context's).
  for (const cls of [...PLATFORM_CONFIGS, ...classes]) {
    const before = problems.length;
    const instance: ContextConfig = validateClass(cls, env, problems, unset);
    if (problems.length === before) valid.push(instance);
    hosted.set(cls, instance);
  }
  const waiting = resolveSecrets(config, unset, problems) ? [] : unset.map((u) => u.instance);
  // Cross-field checks only on values that passed their own validation, secrets included.
  for (const instance of valid)
    if (!waiting.includes(instance)) problems.push(...(instance.problems?.(config) ?? []));
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment variable(s):\n  - ${problems.join('\n  - ')}`);
  }
  contextConfigs.set(config, hosted);
  return config;
}
