import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ImageFactoryApiDeps } from './imagefactory/api-deps.js';
import { dashboardApp, htmlPageConstraint } from './dashboard/index.js';
import { imageFactoryApi } from './imagefactory/index.js';

export interface AppOptions {
  imagefactory: ImageFactoryApiDeps;
  /** Largest accepted request body in bytes (413 beyond). */
  bodyLimit: number;
  logger: FastifyServerOptions['loggerInstance'] | false;
  https?: { key: string; cert: string } | null;
  /** Further API surfaces (catalog APIs) registered beside Image Factory's. */
  surfaces?: ((app: FastifyInstance) => Promise<void>)[];
}

/** Builds the HTTP app without listening (tests use inject() or listen on loopback). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: options.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: true,
    // GET / is the dashboard for browsers and Nova's version list for API clients (fog reads it).
    routerOptions: { ignoreDuplicateSlashes: false, constraints: { page: htmlPageConstraint } },
  } as FastifyServerOptions);
  await app.register(async (scope) => imageFactoryApi(scope, options.imagefactory));
  const { oauth, oauthOpenReads, sessions, store } = options.imagefactory;
  await app.register(async (scope) => dashboardApp(scope, { oauth, oauthOpenReads, sessions, store, tls: Boolean(options.https) }));
  for (const surface of options.surfaces ?? []) await app.register(async (scope) => surface(scope));
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain; charset=UTF-8').send('Not found.'));
  return app;
}
