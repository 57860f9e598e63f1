/**
 * An endpoint override (private regions, S3-compatible stores, local stand-ins in tests): an
 * http(s) URL, or a bare host name (the original's `host` override), which means https.
 */
export function readEndpoint(value: string | undefined, field: string, problems: string[]): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`;
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    if (u.username || u.password) { problems.push(`${field} must not carry credentials`); return undefined; }
    return u.toString().replace(/\/$/, '');
  } catch {
    problems.push(`${field} must be an http(s) URL or a host name`);
    return undefined;
  }
}
