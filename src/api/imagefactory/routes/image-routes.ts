import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { IMAGE_CLASS, IMAGE_COLLECTION, IMAGE_KINDS, type ImageKind, type ImageRecord } from '../../../domain/image.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { listJson, presentCreated, presentImage, presentList, type Related } from '../present.js';
import { negotiateFormat } from '../negotiate.js';
import { apiRoot, requestUrl, sendDocument } from '../reply.js';
import { createFields, deleteFields, stringField, type RequestFields } from '../request-data.js';

type Params = { b?: string; t?: string; id?: string };

/** Prefixes under which every collection is also reachable (§3.1). */
const LIST_PREFIXES = ['/imagefactory', '/imagefactory/base_images/:b', '/imagefactory/target_images/:t'];
const ITEM_PREFIXES = [...LIST_PREFIXES, '/imagefactory/base_images/:b/target_images/:t'];

/** Image list, create, get and delete with all of the original's nested aliases. */
export function registerImageRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  for (const kind of IMAGE_KINDS) {
    const c = IMAGE_COLLECTION[kind];
    for (const prefix of LIST_PREFIXES) {
      app.get(`${prefix}/${c}`, { config: { oauth: true } }, async (req, reply) => {
        const { b, t } = req.params as Params;
        const ids = await deps.store.listIds({ kind, baseImageId: b, targetImageId: t });
        if (negotiateFormat(req.headers.accept) === 'json') {
          return reply.code(200).type('application/json').send(renderedList(kind, ids, requestUrl(req)));
        }
        return sendDocument(req, reply, 200, presentList(kind, ids, requestUrl(req)));
      });
    }
    for (const prefix of ITEM_PREFIXES) {
      app.post(`${prefix}/${c}`, { config: { oauth: true } }, async (req, reply) => {
        const created = await create(deps, kind, req);
        return sendDocument(req, reply, 202, presentCreated(created, requestUrl(req)));
      });
      app.get(`${prefix}/${c}/:id`, { config: { oauth: true } }, async (req, reply) => {
        const image = await findImage(deps, kind, (req.params as Params).id!);
        const related = await relatedImages(deps, image);
        if (negotiateFormat(req.headers.accept) === 'json') {
          return reply.code(200).type('application/json').send(renderedImage(image, related, requestUrl(req), apiRoot(req)));
        }
        return sendDocument(req, reply, 200, presentImage(image, requestUrl(req), apiRoot(req), related));
      });
      app.delete(`${prefix}/${c}/:id`, { config: { oauth: true } }, async (req, reply) => {
        const fields = deleteFields(kind, req.body, req.headers['content-type']);
        await deps.deleteImage(kind, (req.params as Params).id!, {
          provider: fields.provider, credentials: fields.credentials, target: fields.target,
          parameters: fields.parameters as Record<string, unknown>,
        });
        return reply.code(204).send();
      });
    }
  }
}

/**
 * Rendered list bodies, kept as long as the store keeps the same (frozen) id array: the store
 * replaces the array on any write that can change it, which drops its entry here.
 */
const renderedLists = new WeakMap<readonly string[], Map<string, Buffer>>();

function renderedList(kind: ImageKind, ids: readonly string[], url: string): Buffer {
  let byUrl = renderedLists.get(ids);
  if (!byUrl) renderedLists.set(ids, (byUrl = new Map()));
  let body = byUrl.get(url);
  if (!body) {
    body = Buffer.from(listJson(kind, ids, url));
    if (byUrl.size < 16) byUrl.set(url, body);
  }
  return body;
}

/**
 * Rendered single-image bodies. The store hands out frozen records and id lists and replaces them on
 * every write, so a body stays valid while the record, its parent and its child list are the same
 * objects; any change produces new objects and a fresh rendering.
 */
const renderedImages = new WeakMap<ImageRecord, { related: Related; byUrl: Map<string, Buffer> }>();

function renderedImage(image: ImageRecord, related: Related, url: string, root: string): Buffer {
  let entry = renderedImages.get(image);
  if (!entry || entry.related.children !== related.children || entry.related.parent !== related.parent) {
    entry = { related, byUrl: new Map() };
    renderedImages.set(image, entry);
  }
  let body = entry.byUrl.get(url);
  if (!body) {
    body = Buffer.from(JSON.stringify(presentImage(image, url, root, related)));
    if (entry.byUrl.size < 8) entry.byUrl.set(url, body);
  }
  return body;
}

async function create(deps: ImageFactoryApiDeps, kind: ImageKind, req: FastifyRequest): Promise<ImageRecord> {
  const fields = createFields(kind, req.body, req.headers['content-type']);
  const { b, t } = req.params as Params;
  const parameters = fields.parameters as Record<string, unknown>;
  if (kind === 'base_image') {
    return deps.creator.createBaseImage({ template: fields.template, parameters });
  }
  if (kind === 'target_image') {
    const records = await deps.creator.createTargetImage({
      template: fields.template, parameters, target: fields.target,
      baseImageId: stringField(fields, 'base_image_id') ?? b,
    });
    return records[records.length - 1];
  }
  const records = await deps.creator.createProviderImage({
    template: fields.template, parameters, target: fields.target,
    provider: providerValue(fields), credentials: fields.credentials,
    targetImageId: stringField(fields, 'target_image_id') ?? t,
  });
  return records[records.length - 1];
}

/** A provider given as a JSON-object string (form posts) is decoded like parameters. */
function providerValue(fields: RequestFields): unknown {
  const p = fields.provider;
  if (typeof p === 'string' && p.trim().startsWith('{')) {
    try { return JSON.parse(p); } catch { return p; }
  }
  return p;
}

export async function findImage(deps: ImageFactoryApiDeps, kind: ImageKind, id: string): Promise<ImageRecord> {
  const image = await deps.store.get(id);
  if (!image || image.kind !== kind) throw new AppError('IMAGE_NOT_FOUND', `No ${IMAGE_CLASS[kind]} found with id: ${id}`);
  return image;
}

async function relatedImages(deps: ImageFactoryApiDeps, image: ImageRecord): Promise<Related> {
  if (image.kind === 'base_image') return { children: await deps.store.listIds({ kind: 'target_image', baseImageId: image.id }) };
  if (image.kind === 'target_image') {
    const parent = image.baseImageId ? await deps.store.get(image.baseImageId) : undefined;
    return { children: await deps.store.listIds({ kind: 'provider_image', targetImageId: image.id }), parent };
  }
  const parent = image.targetImageId ? await deps.store.get(image.targetImageId) : undefined;
  return { children: [], parent };
}
