import { sign } from 'node:crypto';
import { AppError } from '../../../domain/errors.js';
import { scrub } from '../shared/provider-failure.js';
import { withRetry } from '../shared/retry.js';
import type { ServiceAccount } from './service-account.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh this long before expiry, so a long upload never sends a token that lapses mid-request. */
const EARLY_REFRESH_MS = 5 * 60_000;

export interface AccessToken {
  token: string;
  expiresAt: number;
}

/**
 * OAuth 2.0 access tokens for a service account, by the JWT-bearer grant (RFC 7523) at the key's
 * token_uri, as Google documents for server-to-server applications: an RS256-signed assertion
 * {iss, scope, aud = token_uri, iat, exp ≤ iat + 1 h}. The SDKs' own JWT client posts to a fixed
 * Google URL and ignores token_uri, so minting happens here and the SDKs are handed the tokens.
 */
export class AccessTokens {
  private current: AccessToken | null = null;
  private pending: Promise<AccessToken> | null = null;

  constructor(private readonly account: ServiceAccount, private readonly signal?: AbortSignal, private readonly scope = CLOUD_PLATFORM_SCOPE) {}

  /** Tokens handed out so far (secrets too: scrubbed from messages). */
  issued(): string[] {
    return this.current ? [this.current.token] : [];
  }

  /** The current token without refreshing it (for synchronous callers; null before the first get()). */
  peek(): string | null {
    return this.current?.token ?? null;
  }

  async get(): Promise<AccessToken> {
    if (this.current && this.current.expiresAt - EARLY_REFRESH_MS > Date.now()) return this.current;
    this.pending ??= this.mint().finally(() => { this.pending = null; });
    this.current = await this.pending;
    return this.current;
  }

  private assertion(): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = { alg: 'RS256', typ: 'JWT', ...(this.account.privateKeyId ? { kid: this.account.privateKeyId } : {}) };
    const claims = { iss: this.account.clientEmail, scope: this.scope, aud: this.account.tokenUri, iat: now, exp: now + 3600 };
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), this.account.privateKey).toString('base64url')}`;
  }

  private async mint(): Promise<AccessToken> {
    const started = Date.now();
    const res = await withRetry(async () => {
      const r = await fetch(this.account.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: this.assertion() }),
        signal: this.signal,
      }).catch((e: unknown) => { throw Object.assign(new Error(`Cannot reach the OAuth token endpoint: ${(e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message}`), { cause: (e as Error).cause, code: ((e as Error).cause as { code?: string } | undefined)?.code }); });
      if (r.status >= 500 || r.status === 429) throw Object.assign(new Error(`OAuth token endpoint answered HTTP ${r.status}`), { status: r.status });
      return r;
    }, { signal: this.signal, baseDelayMs: 300, attempts: 4 }).catch((e: unknown) => {
      throw new AppError('PROVIDER_FAILED', scrub(`Google OAuth: ${(e as Error).message}`, this.account.secrets));
    });
    const text = await res.text();
    let body: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {};
    try { body = JSON.parse(text); } catch { /* reported below */ }
    if (!res.ok || !body.access_token) {
      const why = body.error ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}` : `unexpected answer (${text.slice(0, 200)})`;
      throw new AppError('PROVIDER_FAILED', scrub(`Google OAuth (HTTP ${res.status}) refused the service account ${this.account.clientEmail}: ${why}`, this.account.secrets));
    }
    return { token: body.access_token, expiresAt: started + (Number(body.expires_in) || 3600) * 1000 };
  }
}
