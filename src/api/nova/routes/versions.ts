import type { FastifyInstance, FastifyRequest } from 'fastify';
import { format, MAX_VERSION, MIN_VERSION } from '../microversion.js';

const UPDATED = '2013-07-23T11:33:21Z';

/** Version documents (compute/versions.py): keystoneauth's discovery reads them, so `self` must be reachable. */
function v21(origin: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: format(MAX_VERSION),
    min_version: format(MIN_VERSION),
    updated: UPDATED,
    links: [{ rel: 'self', href: `${origin}/v2.1/` }],
  };
}

const originOf = (req: FastifyRequest, prefix: string) => (prefix || `${req.protocol}://${req.host}`).replace(/\/+$/, '');

/** GET / : the versions list (fog reads it to pick a microversion). */
export function registerRootVersions(app: FastifyInstance, computePrefix: string): void {
  app.get('/', async (req) => {
    const origin = originOf(req, computePrefix);
    return {
      versions: [
        { id: 'v2.0', status: 'DEPRECATED', version: '', min_version: '', updated: '2025-07-04T12:00:00Z', links: [{ rel: 'self', href: `${origin}/v2/` }] },
        v21(origin),
      ],
    };
  });
}

/** GET /v2.1/ : the v2.1 version document. */
export function registerVersionDocument(app: FastifyInstance, computePrefix: string): void {
  app.get('/', { config: { novaPublic: true } }, async (req) => {
    const origin = originOf(req, computePrefix);
    const doc = v21(origin);
    return {
      version: {
        ...doc,
        links: [...doc.links, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      },
    };
  });
}
