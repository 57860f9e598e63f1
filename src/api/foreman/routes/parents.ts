import type { FastifyInstance } from 'fastify';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Catalog } from '../../../catalog/catalog.js';
import { compileOrder, compileSearch } from '../../../catalog/search/compile-search.js';
import { parseSearch } from '../../../catalog/search/parser.js';
import type { ParentWhere } from '../../../catalog/store/parent-repository.js';
import { ForemanError } from '../errors.js';
import { findParent } from '../find-parent.js';
import { envelope, parsePaging, queryString } from '../paging.js';
import type { ParentResource } from '../parent-resources.js';
import { jsonBody, wrapped } from '../request-body.js';
import { taxonomyContext, type TaxonomyContext } from '../taxonomy.js';

/** index (searchable), show and create of one image parent under /api and /api/v2. */
export function registerParentRoutes(app: FastifyInstance, catalog: Catalog, resource: ParentResource): void {
  const repo = resource.repo(catalog);
  for (const prefix of ['/api', '/api/v2']) {
    app.get(`${prefix}/${resource.plural}`, async (req, reply) => {
      const ctx = await taxonomyContext(catalog, req, reply);
      const query = req.query as Record<string, unknown>;
      const paging = parsePaging(query);
      const search = queryString(query, 'search');
      const node = parseSearch(search ?? '');
      const order = compileOrder(queryString(query, 'order'), resource.fields, 'id');
      const scopeSql = taxonomySql(resource, ctx);
      const parts = [scopeSql, node && compileSearch(node, resource.fields)].filter((p) => p !== null);
      const scope: ParentWhere | null = scopeSql && (() => scopeSql);
      const where: ParentWhere | null = parts.length ? () => sql<SqlBool>`${sql.join(parts, sql` AND `)}` : null;
      const total = await repo.count(scope);
      const subtotal = node ? await repo.count(where) : total;
      const rows = await repo.page(where, order, paging.offset, paging.perPage);
      const thin = queryString(query, 'thin') === 'true';
      const results = rows.map((r) => (thin ? { id: r.id, [resource.friendlyColumn === 'title' ? 'title' : 'name']: r[resource.friendlyColumn === 'title' ? 'title' : 'name'] } : resource.json(r)));
      return envelope({ total, subtotal, paging, search, order, results });
    });

    app.get(`${prefix}/${resource.plural}/:id`, async (req, reply) => {
      const ctx = await taxonomyContext(catalog, req, reply);
      const id = (req.params as { id: string }).id;
      const row = await findParent(catalog, resource, id, ctx);
      if (!row) throw ForemanError.message(404, `Resource ${resource.singular} not found by id '${id}'`);
      return resource.json(row);
    });

    app.post(`${prefix}/${resource.plural}`, async (req, reply) => {
      const body = jsonBody(req);
      await taxonomyContext(catalog, req, reply, body);
      const input = wrapped(body, resource.singular, resource.attributes);
      const result = resource.toRow(input);
      const errors = 'errors' in result ? result.errors : {};
      if ('values' in result && await repo.by(resource.uniqueColumn, String(result.values[resource.uniqueColumn]))) {
        errors[resource.uniqueColumn] = ['has already been taken'];
      }
      if (Object.keys(errors).length || !('values' in result)) {
        const full = Object.entries(errors).flatMap(([k, ms]) => ms.map((m) => `${k[0].toUpperCase()}${k.slice(1).replace(/_/g, ' ')} ${m}`));
        throw new ForemanError(422, { error: { id: null, errors, full_messages: full } });
      }
      const row = await repo.insert(result.values);
      return reply.code(201).send(resource.json(row));
    });
  }
}

/** Compute resources are taxable: outside the chosen location/organization they do not exist. */
function taxonomySql(resource: ParentResource, ctx: TaxonomyContext): RawBuilder<SqlBool> | null {
  if (resource.plural !== 'compute_resources' || (!ctx.location && !ctx.organization)) return null;
  const loc = ctx.location ? sql`(location_id IS NULL OR location_id = ${ctx.location.id})` : sql`1 = 1`;
  const org = ctx.organization ? sql`(organization_id IS NULL OR organization_id = ${ctx.organization.id})` : sql`1 = 1`;
  return sql<SqlBool>`(${loc} AND ${org})`;
}
