import type { FastifyInstance } from 'fastify';

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Answers 405 with an Allow header for methods a known path does not take (D2), instead of
 * Fastify's 404. Collects the routes registered so far in this context.
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const allowed = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = allowed.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    allowed.set(route.url, set);
  });
  // Runs once this context's routes are all registered.
  app.after(() => {
    for (const [url, methods] of [...allowed.entries()]) {
      const missing = ALL_METHODS.filter((m) => !methods.has(m) && !(m === 'HEAD' && methods.has('GET')));
      if (!missing.length) continue;
      const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].filter((v, i, a) => a.indexOf(v) === i).join(', ');
      app.route({
        method: missing as unknown as string[],
        url,
        // Not an operation of the API: left out of the OpenAPI document.
        schema: { hide: true },
        handler: async (_req, reply) => reply.code(405).header('Allow', allow).type('text/plain; charset=UTF-8').send('Method not allowed.'),
      });
    }
  });
}
