import { timingSafeEqual } from 'node:crypto';

/** A login → password table from config (foreman_users, hostway_users); compared in constant time. */
export function passwordMatches(users: Readonly<Record<string, string>>, login: string, password: string): boolean {
  const expected = Object.hasOwn(users, login) ? users[login] : undefined;
  if (expected === undefined) return false;
  const x = Buffer.from(expected);
  const y = Buffer.from(password);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Splits an HTTP Basic `Authorization` value into login and password (undefined when it is not Basic). */
export function basicCredentials(header: string | undefined): { login: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? { login: text, password: '' } : { login: text.slice(0, colon), password: text.slice(colon + 1) };
}
