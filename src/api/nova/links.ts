import type { FastifyRequest } from 'fastify';

export interface NovaLinkConfig {
  /** Config `compute_link_prefix` (empty = the request's origin). */
  computePrefix: string;
  /** Config `glance_link_prefix` (empty = the request's origin). */
  glancePrefix: string;
}

/** Where links of one request point: origin, and the project segment if the request URL had one. */
export interface LinkBase {
  origin: string;
  glance: string;
  projectId: string | undefined;
}

export function linkBase(req: FastifyRequest, cfg: NovaLinkConfig): LinkBase {
  const origin = `${req.protocol}://${req.host}`;
  const params = req.params as { project_id?: string };
  return {
    origin: stripSlash(cfg.computePrefix || origin),
    glance: stripSlash(cfg.glancePrefix || origin),
    projectId: params.project_id,
  };
}

/** `<origin>/v2.1[/<project>]<path>`: what self and next links use. */
export function versioned(base: LinkBase, path: string): string {
  return `${base.origin}/v2.1${base.projectId ? `/${base.projectId}` : ''}${path}`;
}

export function imageLinks(base: LinkBase, id: string) {
  return [
    { rel: 'self', href: versioned(base, `/images/${id}`) },
    { rel: 'bookmark', href: `${base.origin}${base.projectId ? `/${base.projectId}` : ''}/images/${id}` },
    { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${base.glance}/images/${id}` },
  ];
}

function stripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
