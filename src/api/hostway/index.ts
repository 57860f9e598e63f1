import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Catalog } from '../../catalog/catalog.js';
import type { CatalogImage } from '../../catalog/catalog-image.js';
import { HOSTWAY_STATES } from '../../catalog/image-state.js';
import type { NewestFirstFilter } from '../../catalog/store/image-repository.js';
import { basicCredentials, passwordMatches } from '../../catalog/user-table.js';
import { HostwayError, hostwayErrorHandler, notFound, UNAUTHORIZED_BODY } from './errors.js';
import { basicItem, detailItem } from './present.js';

export interface HostwayDeps {
  catalog: Catalog;
  /** Config `hostway_users`: login → password. */
  users: Readonly<Record<string, string>>;
}

/** Hostway lists no page size; a page holds at most this many (limit/marker page further). */
export const HOSTWAY_MAX_PAGE = 1000;
const VISIBLE: readonly string[] = Object.values(HOSTWAY_STATES).flat();

/**
 * The Hostway images API (catalog-apis.md §3): /images[/detail|/{id}] and the account-prefixed
 * /accounts/{accountId}/flexcloud/images variants, HTTP Basic, failed images hidden.
 */
export async function hostwayApi(app: FastifyInstance, deps: HostwayDeps): Promise<void> {
  for (const prefix of ['', '/accounts/:account_id/flexcloud']) {
    await app.register(async (scope) => {
      scope.setErrorHandler(hostwayErrorHandler);
      scope.addHook('onRequest', async (req, reply) => {
        const c = basicCredentials(req.headers.authorization);
        if (c && passwordMatches(deps.users, c.login, c.password)) return undefined;
        return reply.code(401).type('text/plain; charset=UTF-8').header('WWW-Authenticate', 'Basic realm="Hostway API"').send(UNAUTHORIZED_BODY);
      });
      scope.get('/images/detail', async (req) => ({ images: (await list(deps, req)).map((i) => detailItem(i, base(req))) }));
      scope.get('/images', async (req) => ({ images: (await list(deps, req)).map((i) => basicItem(i, base(req))) }));
      scope.get('/images/:id', async (req) => {
        const image = await deps.catalog.images.byNovaId((req.params as { id: string }).id);
        if (!image || !VISIBLE.includes(image.state)) throw new HostwayError(404, 'Resource not found');
        return { image: detailItem(image, base(req)) };
      });
      // Anything else under images/ answers with Hostway's 404 (the app's not-found handler is Image Factory's).
      scope.all('/images/*', { schema: { hide: true } }, notFound); // a catch-all 404, not an operation
    }, { prefix });
  }
}

/** Link base: the request origin, with the account segment when the request had it. */
function base(req: FastifyRequest): string {
  const account = (req.params as { account_id?: string }).account_id;
  return `${req.protocol}://${req.host}${account ? `/accounts/${account}/flexcloud` : ''}`;
}

async function list(deps: HostwayDeps, req: FastifyRequest): Promise<CatalogImage[]> {
  const q = req.query as Record<string, string | string[] | undefined>;
  const one = (k: string) => { const v = q[k]; return Array.isArray(v) ? v[v.length - 1] : v; };
  const filter: NewestFirstFilter = { states: VISIBLE };
  const name = one('name');
  if (name !== undefined) filter.name = name;
  const status = one('status');
  if (status !== undefined) filter.states = (Object.hasOwn(HOSTWAY_STATES, status.toUpperCase()) ? HOSTWAY_STATES[status.toUpperCase()] : undefined) ?? [];
  const type = one('type');
  // Every catalog image is a BASE image unless it is a server snapshot (Nova's image_type property).
  if (type !== undefined && type.toUpperCase() === 'SERVER') filter.properties = [['image_type', 'snapshot']];
  else if (type !== undefined && type.toUpperCase() !== 'BASE') filter.states = [];
  const zone = one('zone');
  if (zone !== undefined) {
    const cr = await deps.catalog.computeResources.by('name', zone);
    if (!cr) return [];
    filter.computeResourceId = cr.id;
  }
  let limit = HOSTWAY_MAX_PAGE;
  const rawLimit = one('limit');
  if (rawLimit !== undefined) {
    if (!/^[1-9][0-9]*$/.test(rawLimit)) throw new HostwayError(400, `Invalid limit: ${rawLimit}`);
    limit = Math.min(Number(rawLimit), HOSTWAY_MAX_PAGE);
  }
  let cursor;
  const marker = one('marker');
  if (marker !== undefined) {
    const m = await deps.catalog.images.byNovaId(marker);
    if (!m) throw new HostwayError(400, `Invalid marker: ${marker}`);
    cursor = { createdAt: m.createdAt, id: m.id };
  }
  return deps.catalog.images.listNewestFirst(filter, limit, cursor);
}
