import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { IMAGE_KINDS, type ImageKind } from '../../../domain/image.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import type { ImageEventMessage } from '../event-hub.js';

/** Bytes a subscriber may have unsent before it is dropped (it reconnects and resumes with Last-Event-ID). */
export const SUBSCRIBER_BUFFER_BYTES = 256 * 1024;
const MAX_IMAGE_FILTERS = 100;
const EVENT_TYPES = ['status', 'progress'] as const;

/**
 * GET /imagefactory/events: a server-sent event stream of every image state change, filterable by
 * image id (`image`), image kind (`kind`) and event type (`type`), resumable with Last-Event-ID.
 * Writes never wait for a subscriber: a subscriber whose unsent bytes pass the bound is disconnected
 * (it reconnects and resumes). Events go out in small batches (see ImageEventHub).
 */
export function registerEventRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  app.get('/imagefactory/events', { config: { oauth: true, ownMediaType: true } }, async (req, reply) => {
    const query = req.query as Record<string, string | string[] | undefined>;
    const images = listParam(query.image, 'image');
    if (images.length > MAX_IMAGE_FILTERS) throw new AppError('REQUEST_INVALID', `image: at most ${MAX_IMAGE_FILTERS} image ids per stream`);
    const kinds = listParam(query.kind, 'kind');
    for (const k of kinds) if (!IMAGE_KINDS.includes(k as ImageKind)) throw new AppError('REQUEST_INVALID', `kind: "${k}" is not one of ${IMAGE_KINDS.join(', ')}`);
    const types = listParam(query.type, 'type');
    for (const t of types) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new AppError('REQUEST_INVALID', `type: "${t}" is not one of ${EVENT_TYPES.join(', ')}`);
    const lastId = headerOrQuery(req.headers['last-event-id'], query.last_event_id);

    const imageSet = new Set(images);
    const kindSet = new Set(kinds);
    const typeSet = new Set(types);
    const wanted = (m: ImageEventMessage) => (!imageSet.size || imageSet.has(m.imageId))
      && (!kindSet.size || kindSet.has(m.kind)) && (!typeSet.size || typeSet.has(m.type));

    const hub = deps.events;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=UTF-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    let closed = false;
    let unsubscribe = () => {};
    const stop = () => { if (!closed) { closed = true; unsubscribe(); } };
    res.on('close', stop);
    const write = (text: string) => {
      if (closed) return;
      if (res.writableLength > SUBSCRIBER_BUFFER_BYTES) { stop(); res.destroy(); return; }
      res.write(text);
    };
    // The first frame tells the client where it stands, so even a quiet stream can be resumed.
    write(`retry: 2000\nid: ${hub.currentId()}\nevent: ready\ndata: {}\n\n`);
    if (lastId) {
      const missed = hub.since(lastId);
      if (missed === undefined) write('event: reset\ndata: {"reason":"events since Last-Event-ID are no longer available; reload the state"}\n\n');
      else for (const m of missed) if (wanted(m)) write(m.frame);
    }
    const filtered = imageSet.size + kindSet.size + typeSet.size > 0;
    const deliver = (batch: readonly ImageEventMessage[], joined: string) => {
      if (!filtered) return write(joined);
      let text = '';
      for (const m of batch) if (wanted(m)) text += m.frame;
      if (text) write(text);
    };
    if (!closed) unsubscribe = hub.subscribe(deliver, () => write(': keep-alive\n\n'));
  });
}

function listParam(value: string | string[] | undefined, name: string): string[] {
  if (value === undefined) return [];
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const v of items) if (v.length > 200) throw new AppError('REQUEST_INVALID', `${name}: value too long`);
  return items;
}

function headerOrQuery(header: string | string[] | undefined, query: string | string[] | undefined): string | undefined {
  const v = header ?? query;
  return Array.isArray(v) ? v[0] : v;
}
