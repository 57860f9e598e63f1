import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogImage } from '../../../catalog/catalog-image.js';
import { NovaFault } from '../faults.js';
import { linkBase, versioned, type LinkBase } from '../links.js';
import { NOVA_VISIBLE_STATES, parseListQuery } from '../list-query.js';
import { IMAGES_MAX } from '../microversion.js';
import type { NovaDeps } from '../nova-deps.js';
import { detailItem, indexItem } from '../present-image.js';

/** An image Nova may show: Glance v2 hides deleted and pending_delete ones. */
export async function visibleImage(deps: NovaDeps, id: string): Promise<CatalogImage> {
  const image = await deps.catalog.images.byNovaId(id);
  if (!image || !(NOVA_VISIBLE_STATES as readonly string[]).includes(image.state)) throw new NovaFault(404, 'Image not found.');
  return image;
}

/** GET /images, /images/detail, /images/{id}; DELETE /images/{id} (routes valid up to 2.35). */
export function registerImageRoutes(app: FastifyInstance, deps: NovaDeps, at = ''): void {
  const config = { novaMax: IMAGES_MAX };
  // `detail` is a static segment, so find-my-way matches it before /images/:id.
  app.get(`${at}/images`, { config }, async (req) => list(deps, req, false));
  app.get(`${at}/images/detail`, { config }, async (req) => list(deps, req, true));
  app.get(`${at}/images/:id`, { config }, async (req) => {
    const image = await visibleImage(deps, (req.params as { id: string }).id);
    return { image: detailItem(image, linkBase(req, deps.links)) };
  });
  app.delete(`${at}/images/:id`, { config }, async (req, reply) => {
    const image = await visibleImage(deps, (req.params as { id: string }).id);
    await deps.catalog.delete(image);
    return reply.code(204).send();
  });
}

async function list(deps: NovaDeps, req: FastifyRequest, detail: boolean) {
  const q = parseListQuery(req.query as Record<string, unknown>);
  let cursor;
  if (q.marker !== undefined) {
    const m = await deps.catalog.images.byNovaId(q.marker);
    if (!m) throw new NovaFault(400, `marker [${q.marker}] not found`);
    cursor = { createdAt: m.createdAt, id: m.id };
  }
  const images = await deps.catalog.images.listNewestFirst(q.filter, q.limit, cursor);
  const base = linkBase(req, deps.links);
  const body: Record<string, unknown> = { images: images.map((i) => (detail ? detailItem(i, base) : indexItem(i, base))) };
  // A full page gets a next link even when it is the last one (common._get_collection_links).
  if (images.length === q.limit && images.length > 0) {
    body.images_links = [{ rel: 'next', href: nextHref(req, base, detail, images[images.length - 1].novaId) }];
  }
  return body;
}

/** The same query, parameters sorted by name, with `marker` set to the last id of this page. */
function nextHref(req: FastifyRequest, base: LinkBase, detail: boolean, lastId: string): string {
  const params = new URLSearchParams(req.url.split('?')[1] ?? '');
  params.delete('marker');
  params.append('marker', lastId);
  params.sort();
  return `${versioned(base, detail ? '/images/detail' : '/images')}?${params.toString()}`;
}
