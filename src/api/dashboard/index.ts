import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ImageStore } from '../../core/ports/image-store.js';
import { AppError } from '../../domain/errors.js';
import { IMAGE_STATUSES, type ImageStatus } from '../../domain/image.js';
import { authenticateRequest, type AuthDeps } from '../imagefactory/authenticate.js';
import { imageFactoryErrorHandler } from '../imagefactory/error-handler.js';
import { imageTreePage } from './image-tree.js';
import { SESSION_COOKIE, readCookie } from './sessions.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';

export interface DashboardDeps extends AuthDeps {
  store: ImageStore;
  /** Cookies get Secure when the daemon serves HTTPS. */
  tls: boolean;
}

/** Same-origin only; no inline script or style, so injected markup could not run even if it got in. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PAGE_LIMIT_MAX = 200;

/** The web dashboard: its page and files, log-in/out, and the paged image tree it lists. */
export async function dashboardApp(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const assets = await loadStaticAssets();
  app.setErrorHandler(imageFactoryErrorHandler);
  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });

  const page = (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Content-Security-Policy', CSP).header('X-Frame-Options', 'DENY');
    return sendAsset(req, reply, assets.get('index.html')!);
  };
  app.get('/', { constraints: { page: 'html' } }, page);
  app.get('/dashboard', page);
  app.get('/dashboard/', page);
  app.get('/dashboard/assets/:file', async (req, reply) => {
    const asset = assets.get((req.params as { file: string }).file);
    if (!asset) throw new AppError('IMAGE_NOT_FOUND', 'No such dashboard file');
    return sendAsset(req, reply, asset);
  });

  app.get('/dashboard/session', async (req, reply) => {
    const session = deps.sessions?.fromCookieHeader(req.headers.cookie);
    reply.header('Cache-Control', 'no-store');
    return {
      auth_required: Boolean(deps.oauth),
      accounts_configured: deps.sessions?.hasAccounts ?? false,
      user: session?.user ?? null,
      csrf: session?.csrf ?? null,
    };
  });

  app.post('/dashboard/login', async (req, reply) => {
    // JSON only: a cross-site HTML form cannot send it, so log-in CSRF needs no extra token.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new AppError('MEDIA_TYPE_UNSUPPORTED', 'Log in with a JSON body {"login": ..., "secret": ...}');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.login !== 'string' || !body.login) throw new AppError('REQUEST_INVALID', 'login: enter an OAuth consumer key or a dashboard user name');
    if (typeof body.secret !== 'string' || !body.secret) throw new AppError('REQUEST_INVALID', 'secret: enter the consumer secret or the password');
    if (!deps.sessions) throw new AppError('REQUEST_INVALID', 'login: OAuth is off, the dashboard needs no log-in');
    if (deps.sessions.locked(body.login)) throw new AppError('AUTH_FAILED', 'secret: too many failed log-ins for this name; try again in a few minutes', { details: { reason: 'dashboard login throttled' } });
    const session = deps.sessions.login(body.login, body.secret);
    if (!session) {
      req.log.info({ login: body.login }, 'dashboard log-in refused');
      throw new AppError('AUTH_FAILED', 'secret: wrong login or secret', { details: { reason: 'dashboard login' } });
    }
    reply.header('Set-Cookie', sessionCookie(session.id, deps.tls, 12 * 3600));
    reply.header('Cache-Control', 'no-store');
    return { user: session.user, csrf: session.csrf };
  });

  app.post('/dashboard/logout', async (req, reply) => {
    const session = deps.sessions?.fromCookieHeader(req.headers.cookie);
    if (session) {
      const token = req.headers['x-csrf-token'];
      if (token !== session.csrf) throw new AppError('AUTH_FAILED', 'Unauthorized: missing or wrong X-CSRF-Token for this dashboard session');
      deps.sessions!.logout(readCookie(req.headers.cookie, SESSION_COOKIE));
    }
    reply.header('Set-Cookie', sessionCookie('', deps.tls, 0));
    return reply.code(204).send();
  });

  app.get('/dashboard/api/tree', async (req, reply) => {
    authenticateRequest(deps, req);
    const query = req.query as Record<string, unknown>;
    const offset = intParam(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(query.limit, 'limit', 1, PAGE_LIMIT_MAX, 50);
    const q = typeof query.q === 'string' && query.q.trim() ? query.q.trim().slice(0, 200) : undefined;
    let status: ImageStatus | undefined;
    if (query.status !== undefined && query.status !== '') {
      if (!IMAGE_STATUSES.includes(query.status as ImageStatus)) throw new AppError('REQUEST_INVALID', `status: "${String(query.status)}" is not one of ${IMAGE_STATUSES.join(', ')}`);
      status = query.status as ImageStatus;
    }
    reply.header('Cache-Control', 'no-store');
    return imageTreePage(deps.store, { offset, limit, q, status });
  });
}

/**
 * Route constraint telling a browser's page request (Accept: text/html) from an API client's: the
 * dashboard's `/` is constrained to it, an unconstrained `/` (Nova's versions) serves the rest.
 */
export const htmlPageConstraint = {
  name: 'page',
  storage() {
    const handlers = new Map<string, unknown>();
    return { get: (k: string) => handlers.get(k) ?? null, set: (k: string, v: unknown) => { handlers.set(k, v); } };
  },
  deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) => (/\btext\/html\b/i.test(String(req.headers.accept ?? '')) ? 'html' : 'api'),
  mustMatchWhenDerived: false,
  validate(value: unknown) { if (value !== 'html' && value !== 'api') throw new Error('page constraint is "html" or "api"'); },
};

export function sessionCookie(value: string, secure: boolean, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

function intParam(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('REQUEST_INVALID', `${name}: must be an integer from ${min} to ${max}`);
  return n;
}

function sendAsset(req: FastifyRequest, reply: FastifyReply, asset: StaticAsset): FastifyReply {
  reply.header('ETag', asset.etag).header('Cache-Control', 'no-cache').header('Vary', 'Accept-Encoding').type(asset.type);
  if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('Content-Encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}
