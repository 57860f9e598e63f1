import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type SqlBool } from 'kysely';
import type { CatalogImage } from '../../../catalog/catalog-image.js';
import type { Catalog } from '../../../catalog/catalog.js';
import type { ForemanRegistration, ImageInput } from '../../../catalog/foreman-registration.js';
import { FOREMAN_STATES } from '../../../catalog/image-state.js';
import { compileOrder, compileSearch } from '../../../catalog/search/compile-search.js';
import { parseSearch } from '../../../catalog/search/parser.js';
import { IMAGE_SEARCH_FIELDS } from '../../../catalog/search/search-fields.js';
import { isAppError } from '../../../domain/errors.js';
import { ForemanError, validationError } from '../errors.js';
import { findParent } from '../find-parent.js';
import { envelope, parsePaging, queryString } from '../paging.js';
import { PARENTS, type ParentResource } from '../parent-resources.js';
import { destroyedJson, imageJson, thinJson } from '../present-image.js';
import { jsonBody, wrapped } from '../request-body.js';
import { taxonomyContext } from '../taxonomy.js';

const IMAGE_ATTRIBUTES = ['name', 'username', 'uuid', 'password', 'user_data', 'iam_role', 'compute_resource_id', 'compute_resource_name',
  'operatingsystem_id', 'operatingsystem_name', 'architecture_id', 'architecture_name'];
const LISTED = sql.join(FOREMAN_STATES.map((s) => sql.lit(s)));

export interface ImageRouteDeps { catalog: Catalog; registration: ForemanRegistration }

/** Images nested under compute resources, operating systems and architectures (api/v2/images_controller.rb). */
export function registerImageRoutes(app: FastifyInstance, deps: ImageRouteDeps): void {
  for (const prefix of ['/api', '/api/v2']) {
    for (const parent of PARENTS) {
      const base = `${prefix}/${parent.plural}/:parent_id/images`;
      app.get(base, async (req, reply) => index(deps, parent, req, reply));
      app.get(`${base}/:id`, async (req, reply) => imageJson(await nestedImage(deps, parent, req, reply)));
      app.post(base, async (req, reply) => create(deps, parent, req, reply));
      for (const method of ['PUT', 'PATCH'] as const) app.route({ method, url: `${base}/:id`, handler: async (req, reply) => update(deps, parent, req, reply) });
      app.delete(`${base}/:id`, async (req, reply) => {
        const image = await nestedImage(deps, parent, req, reply);
        await deps.catalog.delete(image);
        return destroyedJson(image);
      });
    }
  }
}

async function index(deps: ImageRouteDeps, parent: ParentResource, req: FastifyRequest, reply: FastifyReply) {
  const ctx = await taxonomyContext(deps.catalog, req, reply);
  const query = req.query as Record<string, unknown>;
  const paging = parsePaging(query);
  const search = queryString(query, 'search');
  const node = parseSearch(search ?? '');
  const order = compileOrder(queryString(query, 'order'), IMAGE_SEARCH_FIELDS, 'i.id');
  const row = await findParent(deps.catalog, parent, (req.params as { parent_id: string }).parent_id, ctx);
  if (!row) throw ForemanError.imageNotFound('');
  const scopeSql = sql<SqlBool>`${sql.ref(parent.imageColumn)} = ${row.id} AND i.state IN (${LISTED})`;
  const searchSql = node && compileSearch(node, IMAGE_SEARCH_FIELDS);
  const scope = () => scopeSql;
  const searchWhere = searchSql && (() => searchSql);
  // `total` is the parent's trigger-kept count of listed images: no row counting per request.
  const total = Number(row.image_count);
  const subtotal = searchWhere ? await deps.catalog.images.foremanCount(scope, searchWhere) : total;
  const images = await deps.catalog.images.foremanPage({ scope, search: searchWhere, order, offset: paging.offset, limit: paging.perPage });
  const thin = queryString(query, 'thin') === 'true';
  const results = images.map((i) => (thin ? thinJson(i) : imageJson(i)));
  return envelope({ total, subtotal, paging, search, order, results });
}

async function create(deps: ImageRouteDeps, parent: ParentResource, req: FastifyRequest, reply: FastifyReply) {
  const body = jsonBody(req);
  const ctx = await taxonomyContext(deps.catalog, req, reply, body);
  const row = await findParent(deps.catalog, parent, (req.params as { parent_id: string }).parent_id, ctx);
  if (!row) throw ForemanError.imageNotFound('');
  const input = wrapped(body, 'image', IMAGE_ATTRIBUTES) as ImageInput;
  // The nested parent wins over the body (the apidoc example: body 928692541 → response 980190962).
  const withParent: ImageInput = { ...input, [`${parent.singular}_id`]: row.id, [`${parent.singular}_name`]: undefined };
  try {
    return reply.code(201).send(imageJson(await deps.registration.create(withParent)));
  } catch (e) {
    if (isAppError(e) && e.code === 'CATALOG_VALIDATION_FAILED') throw validationError(e, null);
    throw e;
  }
}

async function update(deps: ImageRouteDeps, parent: ParentResource, req: FastifyRequest, reply: FastifyReply) {
  const body = jsonBody(req);
  const image = await nestedImage(deps, parent, req, reply, body);
  const input = wrapped(body, 'image', IMAGE_ATTRIBUTES, true) as ImageInput;
  try {
    return imageJson(await deps.registration.update(image, input));
  } catch (e) {
    if (isAppError(e) && e.code === 'CATALOG_VALIDATION_FAILED') throw validationError(e, image.id);
    throw e;
  }
}

/** The image `:id` ("12-foo" is 12) under the URL's parent, listed states only. */
async function nestedImage(deps: ImageRouteDeps, parent: ParentResource, req: FastifyRequest, reply: FastifyReply, body: Record<string, unknown> = {}): Promise<CatalogImage> {
  const ctx = await taxonomyContext(deps.catalog, req, reply, body);
  const { parent_id: parentId, id } = req.params as { parent_id: string; id: string };
  const row = await findParent(deps.catalog, parent, parentId, ctx);
  const m = /^(\d+)(-.*)?$/.exec(id);
  const image = row && m ? await deps.catalog.images.byId(Number(m[1])) : undefined;
  const parentOf = (i: CatalogImage) => ({ 'i.compute_resource_id': i.computeResource.id, 'i.operatingsystem_id': i.operatingsystem.id, 'i.architecture_id': i.architecture.id })[parent.imageColumn];
  if (!row || !image || parentOf(image) !== row.id || !(FOREMAN_STATES as readonly string[]).includes(image.state)) throw ForemanError.imageNotFound(id);
  return image;
}
