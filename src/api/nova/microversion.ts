import type { FastifyReply, FastifyRequest } from 'fastify';
import { NovaFault } from './faults.js';

/** A compute API microversion X.Y. */
export interface Microversion { major: number; minor: number }

export const MIN_VERSION: Microversion = { major: 2, minor: 1 };
/** Advertised maximum (the Nova revision the spec was written from); images keep their cut-offs. */
export const MAX_VERSION: Microversion = { major: 2, minor: 104 };
/** Last version with the images proxy (MAX_PROXY_API_SUPPORT_VERSION) and with image metadata. */
export const IMAGES_MAX: Microversion = { major: 2, minor: 35 };
export const METADATA_MAX: Microversion = { major: 2, minor: 38 };

export const format = (v: Microversion) => `${v.major}.${v.minor}`;
export const compare = (a: Microversion, b: Microversion) => a.major - b.major || a.minor - b.minor;

const requested = new WeakMap<FastifyRequest, Microversion>();

/**
 * Reads `OpenStack-API-Version: compute X.Y` or the legacy `X-OpenStack-Nova-API-Version: X.Y`
 * (no header = 2.1, `latest` = the maximum) and echoes the version on the response.
 */
export function negotiateVersion(req: FastifyRequest, reply: FastifyReply): Microversion {
  echo(reply, MIN_VERSION);
  const raw = headerVersion(req);
  let v = MIN_VERSION;
  if (raw !== undefined) {
    if (raw.toLowerCase() === 'latest') v = MAX_VERSION;
    else {
      const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(raw);
      if (!m) throw new NovaFault(400, `API Version String ${raw} is of invalid format. Must be of format MajorNum.MinorNum.`);
      v = { major: Number(m[1]), minor: Number(m[2]) };
      if (compare(v, MIN_VERSION) < 0 || compare(v, MAX_VERSION) > 0) {
        throw new NovaFault(406, `Version ${raw} is not supported by the API. Minimum is ${format(MIN_VERSION)} and maximum is ${format(MAX_VERSION)}.`);
      }
    }
  }
  requested.set(req, v);
  echo(reply, v);
  return v;
}

export function versionOf(req: FastifyRequest): Microversion {
  return requested.get(req) ?? MIN_VERSION;
}

function headerVersion(req: FastifyRequest): string | undefined {
  const modern = req.headers['openstack-api-version'];
  if (typeof modern === 'string') {
    for (const part of modern.split(',')) {
      const [service, version] = part.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && version) return version;
    }
  }
  const legacy = req.headers['x-openstack-nova-api-version'];
  return typeof legacy === 'string' && legacy.trim() ? legacy.trim() : undefined;
}

function echo(reply: FastifyReply, v: Microversion): void {
  reply.header('OpenStack-API-Version', `compute ${format(v)}`);
  reply.header('X-OpenStack-Nova-API-Version', format(v));
  reply.header('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
}
