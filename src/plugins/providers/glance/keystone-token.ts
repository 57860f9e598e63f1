import { request } from 'undici';
import { AppError } from '../../../domain/errors.js';

export interface KeystonePasswordAuth {
  /** Identity endpoint, e.g. https://keystone.example.com:5000/v3 (a missing /v3 is added). */
  authUrl: string;
  username: string;
  password: string;
  /** Project (the original's "tenant") the token is scoped to. */
  project: string;
  userDomain: string;
  projectDomain: string;
}

/**
 * Requests a project-scoped token with Keystone v3 password authentication
 * (POST /v3/auth/tokens; the token comes back in X-Subject-Token). The password is only in the
 * request body. Keystone v2.0 tokens (the original's) were removed from Keystone in Queens.
 */
const KEYSTONE_DEADLINE_MS = 60_000;

export async function requestKeystoneToken(auth: KeystonePasswordAuth, signal?: AbortSignal): Promise<string> {
  const base = auth.authUrl.replace(/\/+$/, '');
  const url = `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: auth.username, domain: { name: auth.userDomain }, password: auth.password } },
      },
      scope: { project: { name: auth.project, domain: { name: auth.projectDomain } } },
    },
  });
  const deadline = AbortSignal.timeout(KEYSTONE_DEADLINE_MS);
  let res;
  try {
    res = await request(url, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'imagefactoryd' },
      // An overall deadline besides the build's own signal: Keystone answers in seconds or not at all.
      body, signal: signal ? AbortSignal.any([signal, deadline]) : deadline, headersTimeout: 60_000, bodyTimeout: 60_000,
    });
  } catch (e) {
    if (signal?.aborted) throw new AppError('BUILD_CANCELLED', 'The Keystone request was cancelled');
    if (deadline.aborted) throw new AppError('PROVIDER_FAILED', `Keystone at ${url} did not answer within ${KEYSTONE_DEADLINE_MS / 1000} s`);
    throw new AppError('PROVIDER_FAILED', `Cannot reach Keystone at ${url}: ${(e as Error).message}`, { cause: e });
  }
  const text = await res.body.text().catch(() => '');
  const token = res.headers['x-subject-token'];
  if (res.statusCode !== 201 || typeof token !== 'string' || !token) {
    const detail = keystoneMessage(text) ?? `HTTP ${res.statusCode}`;
    throw new AppError('PROVIDER_FAILED', `Keystone refused the token request for user ${auth.username} (HTTP ${res.statusCode}): ${detail}`);
  }
  return token;
}

/** Keystone errors are `{"error": {"message": ...}}`. */
function keystoneMessage(text: string): string | null {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m.slice(0, 300) : null;
  } catch {
    return text ? text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) : null;
  }
}
