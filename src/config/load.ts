import { readFileSync } from 'node:fs';
import { AppError } from '../domain/errors.js';
import { redactUrl } from '../domain/redact-url.js';
import { CONFIG_SCHEMA, FILE_KEY_ALIASES, type Config, type ConfigKey, type ConfigName } from './schema.js';

export interface ConfigSources {
  /** Values from command-line flags, keyed by config name (only flags the user gave). */
  flags?: Partial<Record<ConfigName, unknown>>;
  /** Environment (IMAGEFACTORY_<KEY> variables are read). */
  env?: Record<string, string | undefined>;
}

const NAMES = Object.keys(CONFIG_SCHEMA) as ConfigName[];

/**
 * Builds the configuration: defaults < JSON file < environment < flags. A bad value stops with
 * CONFIG_INVALID naming the key and the problem.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const flags = sources.flags ?? {};
  const env = sources.env ?? {};
  const values: Record<string, unknown> = {};
  for (const name of NAMES) values[name] = CONFIG_SCHEMA[name].default;

  const configPath = (flags.config ?? env.IMAGEFACTORY_CONFIG ?? CONFIG_SCHEMA.config.default) as string;
  const explicit = flags.config !== undefined || env.IMAGEFACTORY_CONFIG !== undefined;
  const extra: Record<string, unknown> = {};
  const file = readConfigFile(configPath, explicit);
  for (const [rawKey, value] of Object.entries(file)) {
    const name = ((Object.hasOwn(FILE_KEY_ALIASES, rawKey) ? FILE_KEY_ALIASES[rawKey] : undefined) ?? rawKey) as ConfigName;
    if (Object.hasOwn(CONFIG_SCHEMA, name)) values[name] = coerce(name, value, `config file ${configPath}`);
    else extra[rawKey] = value;
  }
  for (const name of NAMES) {
    const raw = env[`IMAGEFACTORY_${name.toUpperCase()}`];
    if (raw !== undefined) values[name] = coerce(name, raw, `environment variable IMAGEFACTORY_${name.toUpperCase()}`);
  }
  for (const [name, value] of Object.entries(flags)) {
    if (value !== undefined) values[name] = coerce(name as ConfigName, value, `option ${(CONFIG_SCHEMA[name as ConfigName] as ConfigKey).flag ?? name}`);
  }
  values.config = configPath;
  if (values.build_mode === 'queue' && !values.database_url) {
    throw new AppError('CONFIG_INVALID', 'config key "build_mode": "queue" needs a shared PostgreSQL database: set database_url to postgres://...');
  }
  return Object.freeze({ ...values, extra: Object.freeze(extra) }) as Config;
}

function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AppError('CONFIG_INVALID', `config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('CONFIG_INVALID', `config file ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Converts a file/env/flag value to the key's type, or throws naming the key. */
function coerce(name: ConfigName, value: unknown, where: string): unknown {
  const spec: ConfigKey = CONFIG_SCHEMA[name];
  const fail = (problem: string): never => {
    throw new AppError('CONFIG_INVALID', `${where}: config key "${name}": ${problem}`);
  };
  switch (spec.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string' && /^(1|0|true|false|yes|no|on|off)$/i.test(value)) return /^(1|true|yes|on)$/i.test(value);
      return fail(`expected true or false, got ${JSON.stringify(value)}`);
    }
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return fail(`expected a whole number, got ${JSON.stringify(value)}`);
      if (spec.min !== undefined && n < spec.min) return fail(`must be at least ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) return fail(`must be at most ${spec.max}, got ${n}`);
      return n;
    }
    case 'string': {
      if (typeof value !== 'string') return fail(`expected a string, got ${JSON.stringify(value)}`);
      if (spec.values && !spec.values.includes(value)) return fail(`must be one of ${spec.values.join(', ')}, got "${value}"`);
      const problem = spec.check?.(value);
      if (problem) return fail(`${problem}, got "${redactUrl(value)}"`);
      return value;
    }
    case 'object': {
      const v = typeof value === 'string' ? parseJson(value, fail) : value;
      if (!v || typeof v !== 'object' || Array.isArray(v)) return fail('expected a JSON object');
      if (name === 'clients') {
        for (const [k, s] of Object.entries(v)) if (typeof s !== 'string' || !s) fail(`the secret of client "${k}" must be a non-empty string`);
      }
      return v;
    }
    case 'array': {
      const v = typeof value === 'string' ? (value.trim().startsWith('[') ? parseJson(value, fail) : [value]) : value;
      if (!Array.isArray(v)) return fail('expected a JSON array');
      return v;
    }
  }
}

function parseJson(text: string, fail: (p: string) => never): unknown {
  try { return JSON.parse(text); } catch { return fail('expected JSON'); }
}

/** The configuration as it may be logged: secrets replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const spec: ConfigKey = CONFIG_SCHEMA[name];
    const v = config[name];
    out[name] = spec.secret && v && (typeof v !== 'object' || Object.keys(v).length) ? redactValue(v) : typeof v === 'string' ? redactUrl(v) : v;
  }
  return out;
}

function redactValue(v: unknown): unknown {
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).map((k) => [k, 'REDACTED']));
  return 'REDACTED';
}

