import { readFile } from 'node:fs/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { AppError } from '../../../domain/errors.js';
import { parseXmlTree } from '../../../domain/template/xml-tree.js';
import { scrub } from '../shared/provider-failure.js';
import { withRetry } from '../shared/retry.js';
import type { OvirtCredentials, OvirtProvider } from './ovirt-provider.js';

/** An HTTP answer that was not the expected one, with the service's own words. */
export class OvirtHttpError extends Error {
  /** providerFailure shows the status as "(HTTP n)"; the message is the service's words. */
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** A failure the engine did not answer with an HTTP status (a timeout, a failed phase): the image's error as is. */
export function ovirtFailure(message: string): AppError {
  return new AppError('PROVIDER_FAILED', `oVirt: ${message}`);
}

/** The TLS settings of the engine apply to imageio too (same CA in an oVirt setup). */
export async function ovirtDispatcher(p: OvirtProvider): Promise<Dispatcher> {
  let ca = p.caCert;
  if (!ca && p.caFile) {
    try { ca = await readFile(p.caFile, 'utf8'); } catch (e) { throw ovirtFailure(`cannot read ca_file ${p.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  }
  return new Agent({ connect: { ca, rejectUnauthorized: !p.insecure }, connections: 16 });
}

export interface OvirtDisk {
  id: string;
  status?: string;
  name?: string;
  alias?: string;
  format?: string;
  provisioned_size?: string | number;
  actual_size?: string | number;
}

export interface OvirtTransfer {
  id: string;
  phase?: string;
  transfer_url?: string;
  proxy_url?: string;
}

/**
 * The oVirt engine REST API v4 (JSON), authenticated with an OAuth SSO bearer token. Faults come
 * back as errors carrying the engine's reason and detail; the password and token never leave here.
 */
export class OvirtEngine {
  private token: string | null = null;

  constructor(
    private readonly provider: OvirtProvider,
    private readonly credentials: OvirtCredentials,
    private readonly dispatcher: Dispatcher,
    private readonly signal?: AbortSignal,
  ) {}

  /** Values to scrub from every message: the credentials and the token. */
  get secrets(): string[] {
    return [this.credentials.username, this.credentials.password, ...(this.token ? [this.token] : [])];
  }

  /** POST …/sso/oauth/token, grant_type=password, scope=ovirt-app-api (what the oVirt SDKs do). */
  async login(): Promise<void> {
    const body = new URLSearchParams({ grant_type: 'password', scope: 'ovirt-app-api', username: this.credentials.username, password: this.credentials.password }).toString();
    const res = await this.send(this.provider.ssoUrl, 'POST', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body);
    const text = await res.body.text();
    let doc: Record<string, unknown> = {};
    try { doc = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON: reported below */ }
    if (res.statusCode !== 200 || typeof doc.access_token !== 'string') {
      const why = typeof doc.error === 'string' ? `${doc.error_code ? `${String(doc.error_code)}: ` : ''}${doc.error}` : text.slice(0, 300);
      throw new OvirtHttpError(res.statusCode, `SSO login refused: ${why}`);
    }
    this.token = doc.access_token;
  }

  async json<T>(method: string, path: string, body?: unknown, expect: number[] = [200]): Promise<T> {
    const res = await this.api(method, path, body);
    const text = await res.body.text();
    if (!expect.includes(res.statusCode)) throw new OvirtHttpError(res.statusCode, faultText(res.statusCode, text));
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** DELETE; false when the engine no longer has the entity. */
  async remove(path: string): Promise<boolean> {
    const res = await this.api('DELETE', path);
    const text = await res.body.text();
    if (res.statusCode === 404) return false;
    if (res.statusCode !== 200 && res.statusCode !== 204) throw new OvirtHttpError(res.statusCode, faultText(res.statusCode, text));
    return true;
  }

  /** One API call; a 401 on a token we hold (expired during a long upload) signs in again once. */
  private async api(method: string, path: string, body?: unknown): Promise<Dispatcher.ResponseData> {
    if (!this.token) await this.login();
    const res = await this.apiOnce(method, path, body);
    if (res.statusCode !== 401) return res;
    await res.body.dump();
    await this.login();
    return this.apiOnce(method, path, body);
  }

  private async apiOnce(method: string, path: string, body?: unknown): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', version: '4' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Reads and the idempotent task actions are retried on network errors and 5xx; creations are not.
    const idempotent = method === 'GET' || method === 'DELETE';
    return withRetry(async () => {
      const res = await this.send(`${this.provider.apiUrl}${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body));
      if (idempotent && res.statusCode >= 500) {
        const text = await res.body.text();
        throw new OvirtHttpError(res.statusCode, faultText(res.statusCode, text));
      }
      return res;
    }, { attempts: idempotent ? 4 : 1, baseDelayMs: 300, signal: this.signal, isTransient: (e) => !(e instanceof OvirtHttpError) || e.statusCode >= 500 });
  }

  private async send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher, signal: this.signal });
    } catch (e) {
      if (this.signal?.aborted) throw new AppError('BUILD_CANCELLED', 'The push was cancelled');
      const err = e as { code?: string; message?: string };
      throw Object.assign(new Error(`Cannot reach the oVirt engine at ${new URL(url).origin}: ${err.code ?? ''} ${err.message ?? ''}`.trim()), { code: err.code });
    }
  }

  /** DELETE once the entity is not locked any more (the engine answers 409 while an operation runs). */
  async removeWhenUnlocked(path: string, attempts = 30): Promise<boolean> {
    for (let i = 1; ; i++) {
      try {
        return await this.remove(path);
      } catch (e) {
        if (!(e instanceof OvirtHttpError) || e.statusCode !== 409 || i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** A message for the build log and the image's error, with every secret scrubbed. */
  scrub(text: string): string {
    return scrub(text, this.secrets);
  }
}

/** The engine's fault document (`{"reason", "detail"}` or `<fault><reason/><detail/></fault>`) as one line (the status is shown by providerFailure). */
export function faultText(status: number, text: string): string {
  let reason: string | undefined;
  let detail: string | undefined;
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const doc = JSON.parse(t) as { reason?: string; detail?: string; fault?: { reason?: string; detail?: string } };
      reason = doc.reason ?? doc.fault?.reason;
      detail = doc.detail ?? doc.fault?.detail;
    } catch { /* fall through */ }
  } else if (t.startsWith('<')) {
    try {
      const root = parseXmlTree(t);
      reason = root.children.find((c) => c.local === 'reason')?.text.trim();
      detail = root.children.find((c) => c.local === 'detail')?.text.trim();
    } catch { /* fall through */ }
  }
  const words = [reason, detail].filter(Boolean).join(': ') || (t.startsWith('<html') || t.startsWith('<!') ? '' : t.slice(0, 300));
  return words || (status === 401 ? 'Unauthorized (the SSO token was refused)' : `HTTP ${status} without a fault document`);
}
