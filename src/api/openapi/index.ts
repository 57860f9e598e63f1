import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { describeRoute } from './route-docs.js';

export interface RegisteredRoute { method: string; url: string; hidden: boolean }

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as Fastify registered it (the OpenAPI test checks each one is documented). */
    registeredRoutes: RegisteredRoute[];
  }
}

/**
 * Generates the OpenAPI 3.1 document of every route from the route schemas (@fastify/swagger
 * reads them as routes register, so it cannot drift from what is served) and serves it at
 * /imagefactory/openapi.json. Call before any route is registered; `serve` after all are.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<{ serve(): void }> {
  // Response schemas document; they must not change what is sent: plain JSON.stringify, as
  // Fastify does for routes without one (its schema-based serializer would drop unlisted fields).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const registered: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    describeRoute(route);
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) registered.push({ method, url: route.url, hidden });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'imagefactory',
        version,
        description: 'Image Factory REST API v2 (/imagefactory), the catalog APIs (Nova /v2.1, Foreman /api, Hostway /images) and Prometheus /metrics of one imagefactoryd.',
      },
      tags: [
        { name: 'Image Factory', description: 'Build base, target and provider images (JSON or XML; two-legged OAuth unless no_oauth)' },
        { name: 'Nova', description: 'OpenStack Compute images proxy (X-Auth-Token)' },
        { name: 'Foreman', description: 'Foreman API v2 images and their parents (HTTP Basic); /apidoc/v2.json stays Foreman\'s own apipie document' },
        { name: 'Hostway', description: 'Hostway images (HTTP Basic)' },
        { name: 'Metrics', description: 'Prometheus' },
      ],
    },
  });
  return {
    serve() {
      app.get('/imagefactory/openapi.json', async (_req, reply) => reply.type('application/json').send(JSON.stringify(app.swagger())));
    },
  };
}
