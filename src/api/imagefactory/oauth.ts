import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { sign } from '../../domain/oauth-signature.js';

export { oauthEncode, sign } from '../../domain/oauth-signature.js';

export interface OAuthRequest {
  method: string;
  /** Server-side URL without query: scheme://host[:port]/path. */
  url: string;
  authorization: string | undefined;
  /** Query-string parameters (repeated names as arrays). */
  query: Record<string, string | string[]>;
  /** Urlencoded form parameters; empty for other bodies (JSON/XML bodies are not signed). */
  form: Record<string, string | string[]>;
}

const TIMESTAMP_WINDOW_S = 300;
/** Nonces are random tokens (32–64 characters in practice); longer ones only cost memory. */
const MAX_NONCE_CHARS = 256;
const MAX_HEADER_CHARS = 8192;

/**
 * Two-legged OAuth 1.0a with HMAC-SHA1, accepting exactly what the original accepted (D35): signature
 * over header params + query + urlencoded form params, consumers from `clients`, a 300 s window (both ways: a
 * future timestamp is refused too). Beyond
 * it: a nonce seen within the window is refused (D34), and failures never reveal the base string (D33).
 */
export class OAuthVerifier {
  private readonly seenNonces = new Map<string, number>();

  constructor(private readonly clients: Readonly<Record<string, string>>, private readonly now: () => number = () => Date.now()) {}

  /**
   * Everything that does not need the body: header, consumer, version, method, timestamp window and
   * nonce. Run before the body is read, so an unsigned request is refused whatever it carries.
   */
  precheck(authorization: string | undefined): void {
    this.checkHeader(authorization);
  }

  verify(req: OAuthRequest): string {
    const { oauth, consumer, secret, ts, nonce, nowS } = this.checkHeader(req.authorization);
    const params: [string, string][] = [];
    for (const [k, v] of Object.entries(oauth)) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
    for (const source of [req.query, req.form]) {
      for (const [k, v] of Object.entries(source)) for (const item of Array.isArray(v) ? v : [v]) params.push([k, item]);
    }
    const expected = sign(req.method, req.url, params, secret);
    const given = Buffer.from(oauth.oauth_signature ?? '');
    const want = Buffer.from(expected);
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw fail('invalid signature');

    this.sweep(nowS);
    const nonceKey = `${consumer}\n${nonce}`;
    if (this.seenNonces.has(nonceKey)) throw fail('nonce already used');
    // Kept until its timestamp leaves the window: until then a replay would pass every other check.
    this.seenNonces.set(nonceKey, ts + TIMESTAMP_WINDOW_S);
    return consumer;
  }

  private checkHeader(header: string | undefined) {
    if (!header || !/^OAuth\s/i.test(header)) throw fail('missing OAuth Authorization header');
    if (header.length > MAX_HEADER_CHARS) throw fail('Authorization header too long');
    const oauth = parseAuthorizationHeader(header);
    const consumer = oauth.oauth_consumer_key;
    const secret = consumer && Object.hasOwn(this.clients, consumer) ? this.clients[consumer] : undefined;
    if (!consumer || secret === undefined) throw fail('unknown consumer');
    if (oauth.oauth_version !== undefined && oauth.oauth_version !== '1.0') throw fail('unsupported oauth_version');
    if (oauth.oauth_signature_method !== 'HMAC-SHA1') throw fail('signature method must be HMAC-SHA1');
    const ts = Number(oauth.oauth_timestamp);
    const nowS = Math.floor(this.now() / 1000);
    if (!oauth.oauth_timestamp || !/^\d+$/.test(oauth.oauth_timestamp) || !Number.isSafeInteger(ts)) throw fail('missing or malformed timestamp');
    // Both directions: a future timestamp would otherwise outlive the nonce kept for it.
    if (Math.abs(nowS - ts) > TIMESTAMP_WINDOW_S) throw fail('timestamp outside the accepted window');
    const nonce = oauth.oauth_nonce;
    if (!nonce) throw fail('missing nonce');
    if (nonce.length > MAX_NONCE_CHARS) throw fail(`nonce longer than ${MAX_NONCE_CHARS} characters`);
    if (this.seenNonces.has(`${consumer}\n${nonce}`)) throw fail('nonce already used');
    return { oauth, consumer, secret, ts, nonce, nowS };
  }

  private sweep(nowS: number): void {
    if (this.seenNonces.size < 1024) return;
    for (const [k, expiry] of this.seenNonces) if (expiry < nowS) this.seenNonces.delete(k);
  }
}

function fail(reason: string): AppError {
  return new AppError('AUTH_FAILED', 'Unauthorized: authorization failed', { details: { reason } });
}

export function parseAuthorizationHeader(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = header.replace(/^OAuth\s+/i, '');
  for (const m of body.matchAll(/([\w.-]+)\s*=\s*"([^"]*)"/g)) {
    try { out[m[1]] = decodeURIComponent(m[2]); } catch { out[m[1]] = m[2]; }
  }
  return out;
}
