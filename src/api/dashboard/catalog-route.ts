import type { FastifyInstance } from 'fastify';
import { hostwayStatus, novaStatus } from '../../catalog/image-state.js';
import type { Catalog } from '../../catalog/catalog.js';
import { AppError } from '../../domain/errors.js';
import { authenticateRequest, type AuthDeps } from '../imagefactory/authenticate.js';
import { imageFactoryErrorHandler } from '../imagefactory/error-handler.js';

const PAGE_LIMIT_MAX = 200;

/**
 * GET /dashboard/api/catalog: one page of the image catalog (newest first) with the status each
 * catalog API shows for a row (Nova's status, Hostway's, whether Foreman lists it), for the
 * dashboard's read-only catalog tables. Never the image password.
 */
export async function dashboardCatalogRoute(app: FastifyInstance, deps: AuthDeps & { catalog: Catalog }): Promise<void> {
  app.setErrorHandler(imageFactoryErrorHandler);
  app.get('/dashboard/api/catalog', async (req, reply) => {
    authenticateRequest(deps, req);
    const query = req.query as Record<string, unknown>;
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(offset) || offset < 0) throw new AppError('REQUEST_INVALID', 'offset: must be an integer of 0 or more');
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) throw new AppError('REQUEST_INVALID', `limit: must be an integer from 1 to ${PAGE_LIMIT_MAX}`);
    const scope = (eb: Parameters<Parameters<Catalog['images']['foremanCount']>[0]>[0]) => eb('i.id', '>', 0);
    const [total, rows] = await Promise.all([
      deps.catalog.images.foremanCount(scope, null),
      deps.catalog.images.foremanPage({ scope, search: null, order: { column: 'i.created_at', desc: true }, offset, limit }),
    ]);
    reply.header('Cache-Control', 'no-store');
    return {
      total, offset, limit,
      images: rows.map((i) => ({
        id: i.id, nova_id: i.novaId, factory_id: i.factoryId, factory_kind: i.factoryKind,
        name: i.name, state: i.state,
        nova_status: novaStatus(i.state).status, hostway_status: hostwayStatus(i.state) ?? null, foreman_listed: i.state === 'active',
        size: i.size, min_disk: i.minDisk, min_ram: i.minRam,
        compute_resource: i.computeResource.name, provider: i.computeResource.provider,
        operatingsystem: i.operatingsystem.title, architecture: i.architecture.name,
        uuid: i.uuid, username: i.username, created_at: i.createdAt, updated_at: i.updatedAt,
      })),
    };
  });
}
