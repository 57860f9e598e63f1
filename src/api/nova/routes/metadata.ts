import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NovaFault, GENERIC_NOT_FOUND } from '../faults.js';
import { jsonBody } from '../json-body.js';
import { metadataBody } from '../metadata-body.js';
import { METADATA_MAX } from '../microversion.js';
import type { NovaDeps } from '../nova-deps.js';
import { visibleImage } from './images.js';

type Params = { image_id: string; key?: string };

/** The six image metadata routes (image_metadata.py), valid up to 2.38. */
export function registerMetadataRoutes(app: FastifyInstance, deps: NovaDeps, at = ''): void {
  const config = { novaMax: METADATA_MAX };
  const image = (req: FastifyRequest) => visibleImage(deps, (req.params as Params).image_id);

  app.get(`${at}/images/:image_id/metadata`, { config }, async (req) => ({ metadata: (await image(req)).metadata }));

  app.post(`${at}/images/:image_id/metadata`, { config }, async (req) => {
    const img = await image(req);
    return { metadata: await deps.metadata.merge(img, metadataBody(jsonBody(req), 'metadata')) };
  });

  app.put(`${at}/images/:image_id/metadata`, { config }, async (req) => {
    const img = await image(req);
    const items = metadataBody(jsonBody(req), 'metadata');
    await deps.metadata.replace(img, items);
    return { metadata: items };
  });

  app.get(`${at}/images/:image_id/metadata/:key`, { config }, async (req) => {
    const img = await image(req);
    const key = (req.params as Params).key!;
    if (!Object.hasOwn(img.metadata, key)) throw new NovaFault(404, GENERIC_NOT_FOUND);
    return { meta: { [key]: img.metadata[key] } };
  });

  app.put(`${at}/images/:image_id/metadata/:key`, { config }, async (req) => {
    const img = await image(req);
    const key = (req.params as Params).key!;
    const meta = metadataBody(jsonBody(req), 'meta', { min: 1, max: 1 });
    if (!Object.hasOwn(meta, key)) throw new NovaFault(400, 'Request body and URI mismatch');
    await deps.metadata.setKey(img, key, meta[key]);
    return { meta };
  });

  app.delete(`${at}/images/:image_id/metadata/:key`, { config }, async (req, reply) => {
    const img = await image(req);
    // A missing key is the catalog's CATALOG_NOT_FOUND "Invalid metadata key", whatever its name.
    await deps.metadata.deleteKey(img, (req.params as Params).key!);
    return reply.code(204).send();
  });
}
