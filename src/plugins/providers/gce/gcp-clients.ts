import { GlobalOperationsClient, ImagesClient } from '@google-cloud/compute';
import { Storage } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
import type { AccessTokens } from './access-tokens.js';

type ComputeOptions = NonNullable<ConstructorParameters<typeof ImagesClient>[0]>;

/**
 * @google-cloud/storage with our access tokens: an OAuth2Client whose refreshHandler asks
 * AccessTokens (the documented way to hand a client tokens minted elsewhere). A custom endpoint
 * (tests, Private Service Connect) keeps authentication on (`useAuthWithCustomEndpoint`).
 */
export function storageClient(projectId: string, tokens: AccessTokens, endpoint?: string, retries = 6): Storage {
  const auth = new OAuth2Client();
  auth.refreshHandler = async () => {
    const t = await tokens.get();
    return { access_token: t.token, expiry_date: t.expiresAt };
  };
  const storage = new Storage({
    projectId,
    authClient: auth,
    ...(endpoint ? { apiEndpoint: endpoint, useAuthWithCustomEndpoint: true } : {}),
    // Transient failures (408, 429, 5xx, resets) are retried by the SDK with exponential backoff;
    // an interrupted resumable upload asks the session for its committed offset and goes on from there.
    retryOptions: { autoRetry: retries > 0, maxRetries: retries, retryDelayMultiplier: 2, maxRetryDelay: 32, totalTimeout: 600 },
  });
  if (endpoint && !/(^|\.)googleapis\.com$/.test(new URL(endpoint).hostname)) {
    // Storage 7.22 does not pass useAuthWithCustomEndpoint on to resumable uploads, which then go
    // out unauthenticated to any host outside googleapis.com: a request interceptor adds the
    // current token (the session-starting POST is the one that needs it; the session URI
    // authorises the chunk PUTs). Callers refresh the token (tokens.get()) before each upload.
    type Interceptor = (typeof storage.interceptors)[number];
    storage.interceptors.push({
      request: ((reqOpts: { headers?: Record<string, string> }) => {
        const token = tokens.peek();
        return token ? { ...reqOpts, headers: { ...reqOpts.headers, Authorization: `Bearer ${token}` } } : reqOpts;
      }) as unknown as Interceptor['request'],
    });
  }
  return storage;
}

/**
 * The Compute clients over REST (google-gax's fallback transport), authenticated with our tokens.
 * gax's REST stub calls `auth.fetch(url, init)` and reads a fetch Response, so the auth client is a
 * small adapter over global fetch that adds the bearer token. An endpoint override becomes
 * protocol + host + port (gax builds `${protocol}://${host}:${port}/compute/v1/...`).
 */
export function computeClients(tokens: AccessTokens, endpoint?: string): { images: ImagesClient; operations: GlobalOperationsClient } {
  const authClient = {
    async getRequestHeaders(): Promise<Headers> {
      return new Headers({ authorization: `Bearer ${(await tokens.get()).token}` });
    },
    async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${(await tokens.get()).token}`);
      return fetch(url, { method: init.method, body: init.body, headers, signal: init.signal });
    },
  };
  const opts: ComputeOptions = { fallback: true, authClient: authClient as unknown as ComputeOptions['authClient'] };
  if (endpoint) {
    const u = new URL(endpoint);
    Object.assign(opts, { apiEndpoint: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol.replace(':', '') });
  }
  return { images: new ImagesClient(opts), operations: new GlobalOperationsClient(opts) };
}
