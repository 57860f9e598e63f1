import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { PluginEntry } from '../../../core/ports/plugin-catalog.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { findJeosImage } from '../jeos.js';
import { PLUGIN_ALIASES, pluginIdFor } from '../plugin-aliases.js';
import { apiRoot, sendDocument } from '../reply.js';

/** Root, plugins and JEOS routes (§5.5–§5.7). */
export function registerMetaRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  app.get('/imagefactory', async (req, reply) =>
    sendDocument(req, reply, 200, { name: 'imagefactory', version: deps.version, api_version: '2.0' }));

  const pluginDoc = (entry: PluginEntry, root: string): Record<string, unknown> => ({
    // A fresh object every time: listing never mutates plugin metadata (D46).
    ...structuredClone(entry.info),
    ...(entry.error ? { ERROR: entry.error } : {}),
    _type: 'plugin',
    id: entry.id,
    href: `${root}/plugins/${entry.id}`,
  });
  const listPlugins = async (req: FastifyRequest, reply: FastifyReply) =>
    sendDocument(req, reply, 200, { plugins: deps.plugins.entries().map((e) => pluginDoc(e, apiRoot(req))) });
  app.get('/imagefactory/plugins', { config: { oauth: true } }, listPlugins);
  app.get('/imagefactory/plugins/', { config: { oauth: true } }, listPlugins);
  app.get('/imagefactory/plugins/:plugin_id', { config: { oauth: true } }, async (req, reply) => {
    const id = (req.params as { plugin_id: string }).plugin_id;
    const entries = deps.plugins.entries();
    const entry = entries.find((e) => e.id === pluginIdFor(id));
    if (!entry) {
      const aliases = Object.keys(PLUGIN_ALIASES).filter((a) => entries.some((e) => e.id === PLUGIN_ALIASES[a]));
      throw new AppError('PLUGIN_NOT_FOUND', `No plugin found with id: ${id}; valid ids: ${entries.map((e) => e.id).join(', ')}${aliases.length ? ` (aliases: ${aliases.join(', ')})` : ''}`);
    }
    return sendDocument(req, reply, 200, pluginDoc(entry, apiRoot(req)));
  });

  app.get('/imagefactory/jeos', async (req, reply) => sendDocument(req, reply, 200, deps.jeos.entries()));
  app.get('/imagefactory/jeos/images', async (req, reply) => sendDocument(req, reply, 200, await deps.jeos.images()));
  // The original answered 501 here; a 5xx for a plain lookup reads as a server fault, so the image
  // with that img_id is shown, or 404.
  app.get('/imagefactory/jeos/images/:jeos_id', async (req, reply) => {
    const id = (req.params as { jeos_id: string }).jeos_id;
    const found = findJeosImage(await deps.jeos.images(), id);
    if (!found) throw new AppError('IMAGE_NOT_FOUND', `No JEOS image found with id: ${id}`);
    return sendDocument(req, reply, 200, { jeos_image: found });
  });
}
