import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface MetricsApiDeps {
  render(): Promise<string>;
  contentType: string;
  /** HTTP Basic users allowed to scrape ({login: password}). */
  users: Record<string, string>;
  /** A bearer token allowed to scrape ("Authorization: Bearer <token>"); empty = none. */
  token: string;
}

/**
 * GET /metrics in the Prometheus text format. Open when neither users nor a token are configured
 * (Prometheus' usual setup on a private network); otherwise Basic or Bearer auth, as Prometheus'
 * `basic_auth` / `authorization` scrape settings send them.
 */
export async function metricsApi(app: FastifyInstance, deps: MetricsApiDeps): Promise<void> {
  const protectedEndpoint = Object.keys(deps.users).length > 0 || deps.token !== '';
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics',
      description: 'Builds, steps, queue, pushes, HTTP requests, cache and disk usage in the Prometheus text exposition format.',
      tags: ['Metrics'],
      response: {
        200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
        401: { description: 'Credentials missing or wrong (when metrics_users or metrics_token is set)', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  }, async (req, reply) => {
    if (protectedEndpoint && !authorized(req, deps)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="imagefactory metrics"').type('text/plain; charset=utf-8')
        .send('Unauthorized: /metrics needs HTTP Basic credentials of metrics_users or the bearer token of metrics_token.\n');
    }
    return reply.type(deps.contentType).send(await deps.render());
  });
}

function authorized(req: FastifyRequest, deps: MetricsApiDeps): boolean {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer !== undefined) return deps.token !== '' && same(bearer, deps.token);
  const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  if (basic === undefined) return false;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const password = deps.users[decoded.slice(0, colon)];
  return password !== undefined && same(decoded.slice(colon + 1), password);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
