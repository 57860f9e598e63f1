import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkToken } from './auth.js';
import { GENERIC_NOT_FOUND, novaErrorHandler, NovaFault, sendFault } from './faults.js';
import { registerNovaBodyParsing } from './json-body.js';
import { compare, negotiateVersion, type Microversion } from './microversion.js';
import type { NovaDeps } from './nova-deps.js';
import { registerImageRoutes } from './routes/images.js';
import { registerMetadataRoutes } from './routes/metadata.js';
import { registerRootVersions, registerVersionDocument } from './routes/versions.js';

declare module 'fastify' {
  interface FastifyContextConfig { novaMax?: Microversion; novaPublic?: boolean }
}

/**
 * The OpenStack Compute images proxy API (catalog-apis.md §1): `/` and `/v2.1/` version documents and
 * the image routes under `/v2.1` and `/v2.1/{project_id}`. fog asks for `/v2.1//images/…`, so the
 * routes are also mounted under `/v2.1/` (the app does not collapse duplicate slashes).
 */
export async function novaApi(app: FastifyInstance, deps: NovaDeps): Promise<void> {
  await app.register(async (root) => {
    root.setErrorHandler(novaErrorHandler);
    registerRootVersions(root, deps.links.computePrefix);
  });
  await app.register(async (scope) => {
    setup(scope, deps);
    registerVersionDocument(scope, deps.links.computePrefix);
    scope.setNotFoundHandler(notFound(deps));
    for (const at of ['', '/']) {
      registerImageRoutes(scope, deps, at);
      registerMetadataRoutes(scope, deps, at);
    }
  }, { prefix: '/v2.1' });
  await app.register(async (scope) => {
    setup(scope, deps);
    for (const at of ['', '/']) {
      registerImageRoutes(scope, deps, at);
      registerMetadataRoutes(scope, deps, at);
    }
  }, { prefix: '/v2.1/:project_id' });
}

function setup(scope: FastifyInstance, deps: NovaDeps): void {
  scope.setErrorHandler(novaErrorHandler);
  registerNovaBodyParsing(scope);
  scope.addHook('onRequest', async (req, reply) => {
    const version = negotiateVersion(req, reply);
    // The version document is served by Nova's unauthenticated versions app.
    if (!req.routeOptions.config.novaPublic && !checkToken(deps.tokens, req, reply)) return reply;
    const project = (req.params as { project_id?: string }).project_id;
    if (project !== undefined && !/^[0-9a-f-]+$/.test(project)) throw new NovaFault(404, GENERIC_NOT_FOUND);
    const max = req.routeOptions.config.novaMax;
    if (max && compare(version, max) > 0) throw new NovaFault(404, GENERIC_NOT_FOUND);
    return undefined;
  });
}

function notFound(_deps: NovaDeps) {
  return (_req: FastifyRequest, reply: FastifyReply) => sendFault(reply, 404, GENERIC_NOT_FOUND);
}
