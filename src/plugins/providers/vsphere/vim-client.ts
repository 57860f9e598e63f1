import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { withRetry } from '../shared/retry.js';
import { readSoapResponse, soapEnvelope, type MoRef, type Node, type Part } from './soap-envelope.js';

/** How to trust the vCenter's TLS certificate: the system CAs, a CA (PEM), a pinned fingerprint, or nothing (labs). */
export interface VsphereTls {
  caPem?: string;
  /** SHA-1 (what vSphere shows as the thumbprint) or SHA-256 fingerprint, hex, colons optional. */
  fingerprint?: string;
  insecure?: boolean;
}

/** Methods that only read, safe to repeat after a network failure. */
const READS = new Set(['RetrieveServiceContent', 'RetrievePropertiesEx', 'RetrieveProperties', 'FindByInventoryPath', 'FindChild', 'HttpNfcLeaseProgress']);

/** The vim25 API version this client speaks (vSphere 6.5+ all accept it). */
const API_VERSION = '6.5';

/**
 * A vim25 SOAP client over undici: one HTTP agent per vCenter (TLS as configured), the session
 * cookie vSphere sets at Login sent on every later call, including the NFC upload.
 */
export class VimClient {
  readonly sdkUrl: URL;
  readonly dispatcher: Agent;
  private cookie: string | undefined;

  constructor(sdkUrl: string, tls: VsphereTls, private readonly signal?: AbortSignal) {
    this.sdkUrl = new URL(sdkUrl);
    this.dispatcher = createAgent(tls);
  }

  /** The `vmware_soap_session` cookie (for HTTP transfers that belong to the session). */
  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  /**
   * Calls `method` on `self` and returns the response element (its `returnval`, if any, inside).
   * Reads are retried on transient failures (network, HTTP 5xx without a SOAP fault); calls that
   * change something are not, since vSphere may have done them. `signal: null` = not cancellable
   * (clean-up after a cancelled push).
   */
  async call(method: string, self: MoRef, parts: readonly Part[] = [], signal: AbortSignal | null | undefined = this.signal): Promise<{ response: Node; xml: string }> {
    const once = () => this.callOnce(method, self, parts, signal ?? undefined);
    if (!READS.has(method)) return once();
    return withRetry(once, { attempts: 4, baseDelayMs: 300, signal: signal ?? undefined });
  }

  private async callOnce(method: string, self: MoRef, parts: readonly Part[], signal: AbortSignal | undefined): Promise<{ response: Node; xml: string }> {
    const res = await request(this.sdkUrl, {
      method: 'POST',
      dispatcher: this.dispatcher,
      signal,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: `"urn:vim25/${API_VERSION}"`,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: soapEnvelope(method, self, parts),
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    const setCookie = res.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const m = /^\s*(vmware_soap_session=[^;]*)/.exec(c);
      if (m) this.cookie = m[1];
    }
    const xml = await res.body.text();
    return { response: readSoapResponse(xml, res.statusCode), xml };
  }

  /**
   * The same session, not bound to the operation's signal: clean-up after a cancelled push
   * (abort the lease, destroy the half-made VM, log out) must still reach vSphere.
   */
  detached(): VimClient {
    const copy = Object.create(VimClient.prototype) as VimClient;
    Object.assign(copy, this, { signal: undefined });
    return copy;
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}

/**
 * The HTTP agent for one vCenter. A pinned fingerprint replaces chain verification: the connection
 * is accepted only when the server's certificate has exactly that fingerprint.
 */
export function createAgent(tls: VsphereTls): Agent {
  if (tls.fingerprint) {
    const pin = normaliseFingerprint(tls.fingerprint);
    const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
    const connect: buildConnector.connector = (opts, callback) => base(opts, (err, socket) => {
      if (err || !socket) { callback(err ?? new Error('TLS connection failed'), null); return; }
      const cert = (socket as TLSSocket).getPeerCertificate?.();
      const seen = cert ? normaliseFingerprint(pin.length === 40 ? cert.fingerprint : cert.fingerprint256) : '';
      if (seen !== pin) {
        socket.destroy();
        callback(Object.assign(new Error(`the vCenter's TLS certificate fingerprint ${seen || '(none)'} is not the pinned ${pin}`), { code: 'CERT_FINGERPRINT_MISMATCH' }), null);
        return;
      }
      callback(null, socket);
    });
    return new Agent({ connect, connections: 8 });
  }
  return new Agent({ connect: { ca: tls.caPem, rejectUnauthorized: !tls.insecure }, connections: 8 });
}

export function normaliseFingerprint(f: string): string {
  return f.replace(/[:\s]/g, '').toLowerCase();
}

export type { Dispatcher };
