import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog } from '../../catalog/catalog.js';
import type { TaxonomyType } from '../../catalog/store/taxonomy-repository.js';
import { ForemanError } from './errors.js';

export interface TaxonomyContext {
  location: { id: number; name: string } | null;
  organization: { id: number; name: string } | null;
}

/**
 * location_id / organization_id from the query or the JSON body (application_shared.rb set_taxonomy):
 * absent or blank = any context; unknown = an unwrapped 404. Sets Foreman's current-taxonomy headers.
 */
export async function taxonomyContext(catalog: Catalog, req: FastifyRequest, reply: FastifyReply, body: Record<string, unknown> = {}): Promise<TaxonomyContext> {
  const pick = async (type: TaxonomyType, key: string) => {
    const raw = (req.query as Record<string, unknown>)[key] ?? body[key];
    const text = raw === undefined || raw === null ? '' : String(Array.isArray(raw) ? raw[raw.length - 1] : raw).trim();
    if (text === '') return null;
    const found = /^\d+$/.test(text) ? await catalog.taxonomies.find(type, Number(text)) : undefined;
    if (!found) throw new ForemanError(404, { message: `${type} with id ${text} not found` });
    return found;
  };
  const ctx = { location: await pick('Location', 'location_id'), organization: await pick('Organization', 'organization_id') };
  reply.header('Foreman_current_location', ctx.location ? `${ctx.location.id}; ${ctx.location.name}` : '; ANY');
  reply.header('Foreman_current_organization', ctx.organization ? `${ctx.organization.id}; ${ctx.organization.name}` : '; ANY');
  return ctx;
}

/** A compute resource with no taxonomy belongs to every one. */
export function computeResourceVisible(cr: Record<string, unknown>, ctx: TaxonomyContext): boolean {
  const inLocation = !ctx.location || cr.location_id === null || cr.location_id === ctx.location.id;
  const inOrganization = !ctx.organization || cr.organization_id === null || cr.organization_id === ctx.organization.id;
  return inLocation && inOrganization;
}
