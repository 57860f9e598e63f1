import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../../catalog/catalog.js';
import { ForemanRegistration } from '../../catalog/foreman-registration.js';
import { basicCredentials, passwordMatches } from '../../catalog/user-table.js';
import { apidocument } from './apidoc.js';
import { ForemanError, foremanErrorHandler } from './errors.js';
import { PARENTS } from './parent-resources.js';
import { registerForemanBodyParsing } from './request-body.js';
import { registerImageRoutes } from './routes/images.js';
import { registerParentRoutes } from './routes/parents.js';

export interface ForemanDeps {
  catalog: Catalog;
  /** Config `foreman_users`: login → password (or personal access token). */
  users: Readonly<Record<string, string>>;
}

/** The Foreman release whose API v2 this surface follows (clients compare it to enable patches). */
export const FOREMAN_VERSION = '3.12.0';

/**
 * Foreman API v2 images and the parents they need (catalog-apis.md §2), under /api and /api/v2, with
 * HTTP Basic; /apidoc/v2.json is public as in Foreman.
 */
export async function foremanApi(app: FastifyInstance, deps: ForemanDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(foremanErrorHandler);
    registerForemanBodyParsing(scope);
    scope.addHook('onRequest', async (req, reply) => {
      reply.header('Foreman_version', FOREMAN_VERSION).header('Foreman_api_version', '2');
      if (req.url.startsWith('/apidoc/')) return;
      const c = basicCredentials(req.headers.authorization);
      // Foreman's 401 names the login and sends no WWW-Authenticate header.
      if (!c || !passwordMatches(deps.users, c.login, c.password)) throw ForemanError.message(401, `Unable to authenticate user ${c?.login ?? ''}`);
    });
    scope.get('/apidoc/v2.json', async () => apidocument(FOREMAN_VERSION));
    for (const prefix of ['/api', '/api/v2']) {
      scope.get(`${prefix}/status`, async () => ({ result: 'ok', status: 200, version: FOREMAN_VERSION, api_version: 2 }));
    }
    for (const parent of PARENTS) registerParentRoutes(scope, deps.catalog, parent);
    registerImageRoutes(scope, { catalog: deps.catalog, registration: new ForemanRegistration(deps.catalog) });
    // Unknown /api paths answer in Foreman's shape rather than Image Factory's plain text.
    scope.all('/api/*', { schema: { hide: true } }, async (req) => { throw ForemanError.message(404, `Route ${req.method} ${req.url.split('?')[0]} not found`); });
  });
}
