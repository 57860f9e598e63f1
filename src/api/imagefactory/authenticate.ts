import type { FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { DashboardSessions } from '../dashboard/sessions.js';
import { sameSecret } from '../dashboard/sessions.js';
import type { OAuthVerifier } from './oauth.js';

export interface AuthDeps {
  /** null when OAuth is off (--no_oauth): every request is let through, as the API always was. */
  oauth: OAuthVerifier | null;
  oauthOpenReads: boolean;
  /** Dashboard log-ins; a valid session cookie stands in for an OAuth signature. */
  sessions: DashboardSessions | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Checks one request: a signed OAuth request, or a dashboard session cookie. Writes made with a
 * session must also carry its CSRF token in X-CSRF-Token; a cross-site page can neither read the
 * token nor send that header without a CORS preflight we never grant.
 */
export function authenticateRequest(deps: AuthDeps, req: FastifyRequest): void {
  if (!deps.oauth) return;
  if (deps.oauthOpenReads && SAFE_METHODS.has(req.method)) return;
  const session = deps.sessions?.fromCookieHeader(req.headers.cookie);
  if (session && !/^OAuth\s/i.test(req.headers.authorization ?? '')) {
    if (SAFE_METHODS.has(req.method)) return;
    const token = req.headers['x-csrf-token'];
    if (typeof token === 'string' && sameSecret(token, session.csrf)) return;
    throw new AppError('AUTH_FAILED', 'Unauthorized: missing or wrong X-CSRF-Token for this dashboard session', { details: { reason: 'csrf' } });
  }
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const form = ct.includes('application/x-www-form-urlencoded') && req.body && typeof req.body === 'object' ? req.body : {};
  deps.oauth.verify({
    method: req.method,
    url: `${req.protocol}://${req.host}${req.url.split('?')[0]}`,
    authorization: req.headers.authorization,
    query: req.query as Record<string, string | string[]>,
    form: form as Record<string, string | string[]>,
  });
}
