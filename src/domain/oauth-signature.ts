import { createHmac, randomBytes } from 'node:crypto';

/**
 * OAuth 1.0a HMAC-SHA1 signing (RFC 5849), shared by the daemon's verifier and the command-line
 * client so both compute the base string the same way.
 */

/** RFC 5849 §3.6 percent-encoding. */
export function oauthEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** RFC 5849 §3.4: base string and HMAC-SHA1 signature (base64). Two-legged: no token secret. */
export function sign(method: string, url: string, params: [string, string][], consumerSecret: string): string {
  const normalized = params
    .map(([k, v]) => [oauthEncode(k), oauthEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [method.toUpperCase(), oauthEncode(normalizeUrl(url)), oauthEncode(normalized)].join('&');
  return createHmac('sha1', `${oauthEncode(consumerSecret)}&`).update(base).digest('base64');
}

/** RFC 5849 §3.4.1.2: lower-case scheme and host, default port dropped, no query. */
export function normalizeUrl(raw: string): string {
  const u = new URL(raw);
  const scheme = u.protocol.toLowerCase();
  const defaultPort = (scheme === 'http:' && u.port === '80') || (scheme === 'https:' && u.port === '443');
  return `${scheme}//${u.hostname.toLowerCase()}${u.port && !defaultPort ? `:${u.port}` : ''}${u.pathname}`;
}

export interface OAuthConsumer { key: string; secret: string }

/**
 * The Authorization header of a two-legged request. `extraParams` are the query and urlencoded
 * form parameters the server also signs (other bodies are not signed).
 */
export function authorizationHeader(consumer: OAuthConsumer, method: string, url: string, extraParams: [string, string][] = [], now = Date.now()): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: consumer.key,
    oauth_nonce: randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(now / 1000)),
    oauth_version: '1.0',
  };
  const query = [...new URL(url).searchParams.entries()];
  oauth.oauth_signature = sign(method, url, [...Object.entries(oauth), ...query, ...extraParams], consumer.secret);
  return `OAuth ${Object.entries(oauth).map(([k, v]) => `${oauthEncode(k)}="${oauthEncode(v)}"`).join(', ')}`;
}
