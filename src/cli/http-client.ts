import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { authorizationHeader, type OAuthConsumer } from '../domain/oauth-signature.js';

export interface ClientOptions {
  /** The API root, e.g. https://localhost:8075/imagefactory. */
  url: string;
  /** Two-legged OAuth consumer; requests are unsigned without it. */
  consumer?: OAuthConsumer;
  /** PEM certificates to trust (the daemon's self-signed certificate). */
  ca?: string;
  /** Accept any certificate (--insecure). */
  insecure?: boolean;
}

/** A non-2xx answer; `message` is the daemon's own text. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface RequestOptions {
  query?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** A streamed body (application/octet-stream) of `length` bytes. */
  stream?: { body: Readable; length: number };
}

/** The Image Factory REST API over HTTP(S), each request OAuth-signed when a consumer is set. */
export class ImageFactoryClient {
  private readonly root: string;
  private readonly dispatcher: Agent;

  constructor(private readonly opts: ClientOptions) {
    this.root = opts.url.replace(/\/+$/, '');
    this.dispatcher = new Agent({ connect: { ca: opts.ca, rejectUnauthorized: !opts.insecure } });
  }

  /** The absolute URL of an API path such as `base_images/<id>`. */
  urlOf(path: string, query?: Record<string, string>): string {
    const url = `${this.root}/${path.replace(/^\/+/, '')}`;
    const qs = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '';
    return url + qs;
  }

  /** Sends a request and parses the JSON answer (undefined for 204). */
  async json<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await res.body.text();
    if (res.statusCode === 204 || !text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HttpError(res.statusCode, `The daemon answered ${res.statusCode} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Sends a request and returns the open response body (downloads, logs). */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<Dispatcher.ResponseData> {
    return this.send(method, path, options);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
    const url = this.urlOf(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | Readable | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.stream) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = String(options.stream.length);
      body = options.stream.body;
    }
    // JSON and octet-stream bodies are not part of the signature (RFC 5849 §3.4.1.3); the query is.
    if (this.opts.consumer) headers.authorization = authorizationHeader(this.opts.consumer, method, url);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher });
    } catch (e) {
      throw new HttpError(0, `Cannot reach the image factory at ${this.root}: ${describe(e)}`);
    }
    if (res.statusCode >= 400) {
      const text = (await res.body.text()).trim();
      throw new HttpError(res.statusCode, `${method} ${url.split('?')[0]} failed with HTTP ${res.statusCode}${text ? `: ${text}` : ''}`);
    }
    return res;
  }
}

/** OpenSSL's codes for a certificate Node does not trust (self-signed, unknown CA, wrong name, expired). */
const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|DEPTH_ZERO|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH/;

function describe(e: unknown): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message;
  const text = code && !message.includes(code) ? `${message} (${code})` : message;
  if (code && TLS_TRUST.test(code)) {
    return `${text}. The daemon's TLS certificate is not trusted: pass --cacert FILE with the certificate it serves `
      + '(its self-signed one is <data_dir>/tls/imagefactoryd.pem), or --insecure to skip verification';
  }
  return text;
}
