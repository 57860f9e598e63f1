import type { ParameterSpec } from '../../sdk/index.js';

/**
 * Reading target parameters. Clients send them as JSON values or, through form bodies, as strings:
 * both `true` and `"true"` must mean true.
 */
export function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function boolParam(params: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = params[name];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  return ['true', '1', 'yes', 'on'].includes(String(v).toLowerCase());
}

/** A parameter, else a daemon config key, else the default (the original's precedence). */
export function paramOrConfig(
  params: Record<string, unknown>, config: Readonly<Record<string, unknown>>, name: string, fallback: string,
): string {
  return stringParam(params, name) ?? stringParam(config as Record<string, unknown>, name) ?? fallback;
}

/** Problems for enumerated parameters given a value outside their list. */
export function checkEnumParameters(specs: readonly ParameterSpec[], params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    if (!spec.values) continue;
    const v = stringParam(params, spec.name);
    if (v !== undefined && !spec.values.includes(v)) {
      problems.push(`Invalid value "${v}" for parameter ${spec.name}: expected one of ${spec.values.join(', ')}`);
    }
  }
  return problems;
}

/** Problems for parameters that must be positive integers when given. */
export function checkPositiveIntegers(names: readonly string[], params: Record<string, unknown>): string[] {
  return names.flatMap((name) => {
    const v = stringParam(params, name);
    return v === undefined || /^[1-9][0-9]*$/.test(v) ? [] : [`Invalid value "${v}" for parameter ${name}: expected a positive integer`];
  });
}
