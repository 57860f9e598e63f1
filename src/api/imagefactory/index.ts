import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../domain/json-depth.js';
import { strictUtf8 } from '../../domain/strict-utf8.js';
import type { ImageFactoryApiDeps } from './api-deps.js';
import { authenticateRequest } from './authenticate.js';
import { imageFactoryErrorHandler } from './error-handler.js';
import { negotiateFormat } from './negotiate.js';
import { registerEventRoutes } from './routes/event-routes.js';
import { registerFileRoutes } from './routes/file-routes.js';
import { registerImageRoutes } from './routes/image-routes.js';
import { registerImportRoutes } from './routes/import-routes.js';
import { registerMetaRoutes } from './routes/meta-routes.js';
import { registerTargetRoutes } from './routes/target-routes.js';
import { registerTemplateRoutes } from './routes/template-routes.js';
import { readMultipartFields } from './multipart-fields.js';
import { registerWorkerRoutes } from './routes/worker-routes.js';
import { parseXmlBody } from './xml-body.js';
import { registerMethodNotAllowed } from './method-not-allowed.js';

declare module 'fastify' {
  interface FastifyContextConfig { oauth?: boolean; /** The route negotiates its own media type (the event stream). */ ownMediaType?: boolean }
}

/** The Image Factory REST API v2 under /imagefactory, as one encapsulated Fastify plugin. */
export async function imageFactoryApi(app: FastifyInstance, deps: ImageFactoryApiDeps): Promise<void> {
  app.removeContentTypeParser('text/plain');
  await app.register(formbody);
  await app.register(multipart);
  app.addHook('preValidation', async (req) => {
    if (req.isMultipart()) req.body = await readMultipartFields(req, app.initialConfig.bodyLimit ?? 1024 * 1024);
  });
  // An empty body is no body (clients pipe empty stdin on GETs); bad JSON is a 400 naming the problem.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    const decoded = strictUtf8(body as Buffer);
    if (decoded === null) return done(new AppError('REQUEST_INVALID', 'Request body is not valid UTF-8'), undefined);
    const text = decoded.trim();
    if (!text) return done(null, undefined);
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (e) {
      return done(new AppError('REQUEST_INVALID', `Request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
    if (jsonTooDeep(parsed)) return done(new AppError('REQUEST_INVALID', `Request body is nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
    return done(null, parsed);
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_req, body, done) => {
    const text = strictUtf8(body as Buffer);
    if (text === null) return done(new AppError('REQUEST_INVALID', 'XML body is not valid UTF-8'), undefined);
    try { done(null, parseXmlBody(text)); } catch (e) { done(e as Error, undefined); }
  });

  app.setErrorHandler(imageFactoryErrorHandler);
  // OAuth before the body is read: an unsigned request is 401 whatever its body (huge, malformed).
  // Only urlencoded form parameters are signed, so only those requests finish in preHandler.
  app.addHook('onRequest', async (req) => {
    if (!needsOAuth(deps, req)) return;
    if (signedForm(deps, req)) deps.oauth!.precheck(req.headers.authorization);
    else authenticateRequest(deps, req);
  });
  app.addHook('preHandler', async (req) => {
    if (needsOAuth(deps, req) && signedForm(deps, req)) authenticateRequest(deps, req);
    if (!req.routeOptions.config.ownMediaType) negotiateFormat(req.headers.accept);
  });

  registerMethodNotAllowed(app); // first: it watches the routes registered below
  registerMetaRoutes(app, deps);
  registerTargetRoutes(app, deps);
  registerImageRoutes(app, deps);
  registerFileRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerTemplateRoutes(app, deps);
  registerWorkerRoutes(app, deps);
}

function needsOAuth(deps: ImageFactoryApiDeps, req: FastifyRequest): boolean {
  if (!deps.oauth || !req.routeOptions.config?.oauth) return false;
  return !(deps.oauthOpenReads && (req.method === 'GET' || req.method === 'HEAD'));
}

/**
 * An OAuth-signed urlencoded form: its fields are part of the signature, so it is verified once the
 * body is parsed. A dashboard session (a cookie, no OAuth header) needs no body to be checked.
 */
function signedForm(deps: ImageFactoryApiDeps, req: FastifyRequest): boolean {
  const form = (req.headers['content-type'] ?? '').toLowerCase().includes('application/x-www-form-urlencoded');
  if (!form) return false;
  const session = deps.sessions?.fromCookieHeader(req.headers.cookie);
  return !session || /^OAuth\s/i.test(req.headers.authorization ?? '');
}

