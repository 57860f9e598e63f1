import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { IMAGE_COLLECTION, IMAGE_KINDS, type ImageKind } from '../../../domain/image.js';
import type { ReadableArtifact } from '../../../core/ports/artifact-store.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { streamFollowing } from '../follow-file.js';
import { findImage } from './image-routes.js';

/** raw_image paths of §3.1 #2, each tied to the collection it names (D6). */
const RAW_IMAGE_ROUTES: [ImageKind, string][] = [
  ['base_image', '/imagefactory/base_images/:id/raw_image'],
  ['target_image', '/imagefactory/target_images/:id/raw_image'],
  ['provider_image', '/imagefactory/provider_images/:id/raw_image'],
  ['target_image', '/imagefactory/base_images/:b/target_images/:id/raw_image'],
  ['provider_image', '/imagefactory/base_images/:b/target_images/:t/provider_images/:id/raw_image'],
  ['provider_image', '/imagefactory/target_images/:t/provider_images/:id/raw_image'],
];

export function registerFileRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  for (const [kind, path] of RAW_IMAGE_ROUTES) {
    app.get(path, { config: { oauth: true } }, async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const image = await deps.store.get(id);
      if (!image || image.kind !== kind) throw new AppError('IMAGE_NOT_FOUND', `No image found with id: ${id}`);
      const bodyId = kind === 'provider_image' ? image.targetImageId ?? id : id;
      return sendFile(req, reply, deps, deps.artifacts.bodyPath(bodyId), `${id}.body`, `No image found with id: ${id} (the image has no body yet: status ${image.status})`);
    });
  }
  for (const kind of IMAGE_KINDS) {
    const c = IMAGE_COLLECTION[kind];
    // Build log; ?follow=true keeps streaming until the build ends.
    app.get(`/imagefactory/${c}/:id/log`, { config: { oauth: true } }, async (req, reply) => {
      const image = await findImage(deps, kind, (req.params as { id: string }).id);
      const path = deps.artifacts.artifactPath(image.id, 'build.log');
      const follow = /^(1|true|yes)$/i.test(String((req.query as Record<string, unknown>).follow ?? ''));
      // nosniff: browsers otherwise hold back the first bytes of a text stream to sniff its type.
      reply.type('text/plain; charset=UTF-8').header('X-Content-Type-Options', 'nosniff');
      // Following tails the local file; with an object store (publish) the log is served as published so far.
      if (follow && deps.isBuilding(image.id) && !deps.artifacts.publish) return reply.send(streamFollowing(path, () => deps.isBuilding(image.id)));
      const file = await readable(deps, path);
      return reply.send(file ? await file.stream() : '');
    });
  }
  app.get('/imagefactory/base_images/:id/serial_log', { config: { oauth: true } }, async (req, reply) => {
    const image = await findImage(deps, 'base_image', (req.params as { id: string }).id);
    const file = await readable(deps, deps.artifacts.artifactPath(image.id, 'serial.log'));
    if (!file) throw new AppError('IMAGE_NOT_FOUND', `Base image ${image.id} has no boot test serial log`);
    return reply.type('text/plain; charset=UTF-8').send(await file.stream());
  });
  app.get('/imagefactory/base_images/:id/sbom', { config: { oauth: true } }, async (req, reply) => {
    const image = await findImage(deps, 'base_image', (req.params as { id: string }).id);
    const file = await readable(deps, deps.artifacts.artifactPath(image.id, 'sbom.spdx.json'));
    if (!file) throw new AppError('IMAGE_NOT_FOUND', `Base image ${image.id} has no SBOM yet (status ${image.status})`);
    return reply.type('application/spdx+json').send(await file.stream());
  });
}

/** An artifact where it really lives (the artifact store's openRead: local file or object store). */
async function readable(deps: ImageFactoryApiDeps, path: string): Promise<ReadableArtifact | undefined> {
  if (deps.artifacts.openRead) return deps.artifacts.openRead(path);
  const st = await stat(path).catch(() => undefined);
  return st?.isFile() ? { size: st.size, modified: st.mtime, stream: async (range) => createReadStream(path, range) } : undefined;
}

/** Streams a file with Last-Modified / If-Modified-Since and single byte ranges (never buffered). */
async function sendFile(req: FastifyRequest, reply: FastifyReply, deps: ImageFactoryApiDeps, path: string, filename: string, missing: string): Promise<FastifyReply> {
  const st = await readable(deps, path);
  if (!st) throw new AppError('IMAGE_NOT_FOUND', missing);
  const lastModified = new Date(Math.floor(st.modified.getTime() / 1000) * 1000);
  reply.header('Content-Disposition', `attachment; filename="${filename}"`);
  reply.header('Last-Modified', lastModified.toUTCString());
  reply.header('Accept-Ranges', 'bytes');
  reply.type('application/octet-stream');
  const ims = req.headers['if-modified-since'];
  if (ims && !Number.isNaN(Date.parse(ims)) && lastModified.getTime() <= Date.parse(ims)) return reply.code(304).send();
  const range = parseRange(req.headers.range, st.size);
  if (range === 'invalid') {
    reply.header('Content-Range', `bytes */${st.size}`);
    return reply.code(416).type('text/plain; charset=UTF-8').send('Requested range not satisfiable.');
  }
  if (range) {
    reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${st.size}`).header('Content-Length', range.end - range.start + 1);
    return reply.send(req.method === 'HEAD' ? undefined : await st.stream(range));
  }
  reply.header('Content-Length', st.size);
  return reply.send(req.method === 'HEAD' ? undefined : await st.stream());
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number; let end: number;
  if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; }
  else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
