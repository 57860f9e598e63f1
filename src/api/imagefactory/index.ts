import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { ImageFactoryApiDeps } from './api-deps.js';
import { imageFactoryErrorHandler } from './error-handler.js';
import { negotiateFormat } from './negotiate.js';
import { registerFileRoutes } from './routes/file-routes.js';
import { registerImageRoutes } from './routes/image-routes.js';
import { registerImportRoutes } from './routes/import-routes.js';
import { registerMetaRoutes } from './routes/meta-routes.js';
import { registerTargetRoutes } from './routes/target-routes.js';
import { registerWorkerRoutes } from './routes/worker-routes.js';
import { parseXmlBody } from './xml-body.js';
import { registerMethodNotAllowed } from './method-not-allowed.js';

declare module 'fastify' {
  interface FastifyContextConfig { oauth?: boolean }
}

/** The Image Factory REST API v2 under /imagefactory, as one encapsulated Fastify plugin. */
export async function imageFactoryApi(app: FastifyInstance, deps: ImageFactoryApiDeps): Promise<void> {
  app.removeContentTypeParser('text/plain');
  await app.register(formbody);
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    // Uploaded files are ignored, as in the original; only fields count.
    onFile: async (part) => { part.file.resume(); },
  });
  // An empty body is no body (clients pipe empty stdin on GETs); bad JSON is a 400 naming the problem.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (!text) return done(null, undefined);
    try { done(null, JSON.parse(text)); } catch (e) {
      done(new AppError('REQUEST_INVALID', `Request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) => {
    try { done(null, parseXmlBody(body as string)); } catch (e) { done(e as Error, undefined); }
  });

  app.setErrorHandler(imageFactoryErrorHandler);
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.config.oauth) authenticate(deps, req);
    negotiateFormat(req.headers.accept);
  });

  registerMethodNotAllowed(app); // first: it watches the routes registered below
  registerMetaRoutes(app, deps);
  registerTargetRoutes(app, deps);
  registerImageRoutes(app, deps);
  registerFileRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerWorkerRoutes(app, deps);
}

function authenticate(deps: ImageFactoryApiDeps, req: FastifyRequest): void {
  if (!deps.oauth) return;
  if (deps.oauthOpenReads && (req.method === 'GET' || req.method === 'HEAD')) return;
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const form = ct.includes('application/x-www-form-urlencoded') && req.body && typeof req.body === 'object' ? req.body : {};
  deps.oauth.verify({
    method: req.method,
    url: `${req.protocol}://${req.host}${req.url.split('?')[0]}`,
    authorization: req.headers.authorization,
    query: req.query as Record<string, string | string[]>,
    form: form as Record<string, string | string[]>,
  });
}

