import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ImageFactoryApiDeps } from './imagefactory/api-deps.js';
import { dashboardApp, htmlPageConstraint } from './dashboard/index.js';
import { imageFactoryApi } from './imagefactory/index.js';
import { registerOpenApi } from './openapi/index.js';

export interface AppOptions {
  imagefactory: ImageFactoryApiDeps;
  /** Largest accepted request body in bytes (413 beyond). */
  bodyLimit: number;
  logger: FastifyServerOptions['loggerInstance'] | false;
  https?: { key: string; cert: string } | null;
  /** Further API surfaces (catalog APIs) registered beside Image Factory's. */
  surfaces?: ((app: FastifyInstance) => Promise<void>)[];
  /** Told about every answered request (route pattern, not URL), for /metrics. */
  onResponse?: (method: string, route: string, statusCode: number, seconds: number) => void;
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
  const onResponse = options.onResponse;
  if (onResponse) {
    // Registered on the root before every surface, so it sees the requests of all of them.
    app.addHook('onResponse', async (req, reply) => {
      onResponse(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  const openapi = await registerOpenApi(app, options.imagefactory.version);
  await app.register(async (scope) => imageFactoryApi(scope, options.imagefactory));
  const { oauth, oauthOpenReads, sessions, store } = options.imagefactory;
  await app.register(async (scope) => dashboardApp(scope, { oauth, oauthOpenReads, sessions, store, tls: Boolean(options.https) }));
  for (const surface of options.surfaces ?? []) await app.register(async (scope) => surface(scope));
  openapi.serve();
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain; charset=UTF-8').send('Not found.'));
  return app;
}
