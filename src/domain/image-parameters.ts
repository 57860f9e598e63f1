/**
 * Boolean build parameters (boot_test, build_cache, generate_icicle...) arrive as JSON booleans, or
 * as strings from form posts and the CLI's --parameter: "false", "no", "0" and "off" turn one off.
 */
export function isParameterOff(parameters: Readonly<Record<string, unknown>>, name: string): boolean {
  const v = parameters[name];
  return v === false || v === 0 || (typeof v === 'string' && /^(false|no|0|off)$/i.test(v.trim()));
}
