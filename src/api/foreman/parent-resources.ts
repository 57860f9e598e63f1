import type { Catalog } from '../../catalog/catalog.js';
import { ARCHITECTURE_SEARCH_FIELDS, COMPUTE_RESOURCE_SEARCH_FIELDS, OPERATINGSYSTEM_SEARCH_FIELDS, type SearchFields } from '../../catalog/search/search-fields.js';
import { osTitle, type ParentRepository, type ParentRow } from '../../catalog/store/parent-repository.js';
import { foremanTime } from './timestamps.js';

/** What differs between the three image parents; their routes and lookups are otherwise the same. */
export interface ParentResource {
  plural: 'compute_resources' | 'operatingsystems' | 'architectures';
  singular: 'compute_resource' | 'operatingsystem' | 'architecture';
  /** The image column that points at this parent. */
  imageColumn: 'i.compute_resource_id' | 'i.operatingsystem_id' | 'i.architecture_id';
  repo(catalog: Catalog): ParentRepository;
  fields: SearchFields;
  /** friendly_id: architectures by name, operating systems by title; compute resources by id only. */
  friendlyColumn: string | null;
  /** Attributes accepted on create. */
  attributes: readonly string[];
  /** Row values from validated input; returns per-field errors instead when invalid. */
  toRow(input: Record<string, unknown>): { values: Record<string, unknown> } | { errors: Record<string, string[]> };
  /** The column whose value must be unique. */
  uniqueColumn: string;
  json(row: ParentRow): Record<string, unknown>;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
const times = (row: ParentRow) => ({ created_at: foremanTime(row.created_at), updated_at: foremanTime(row.updated_at) });
const firstId = (v: unknown) => (Array.isArray(v) && v.length && /^\d+$/.test(String(v[0])) ? Number(v[0]) : null);

/**
 * The providers Foreman core and its usual plugins register (ComputeResource::SUPPORTED_PROVIDERS);
 * Foreman matches them case-insensitively and stores the canonical spelling.
 */
export const FOREMAN_PROVIDERS = ['Libvirt', 'Ovirt', 'EC2', 'Vmware', 'Openstack', 'GCE', 'AzureRm'] as const;

export const COMPUTE_RESOURCES: ParentResource = {
  plural: 'compute_resources', singular: 'compute_resource', imageColumn: 'i.compute_resource_id',
  repo: (c) => c.computeResources, fields: COMPUTE_RESOURCE_SEARCH_FIELDS, friendlyColumn: null,
  attributes: ['name', 'provider', 'url', 'description', 'location_ids', 'organization_ids'],
  uniqueColumn: 'name',
  toRow(input) {
    const errors: Record<string, string[]> = {};
    const name = str(input.name);
    const given = str(input.provider);
    const provider = FOREMAN_PROVIDERS.find((p) => p.toLowerCase() === given.toLowerCase()) ?? '';
    if (!name) errors.name = ["can't be blank"];
    if (!given) errors.provider = ["can't be blank"];
    else if (!provider) errors.provider = [`is not included in the list (${FOREMAN_PROVIDERS.join(', ')})`];
    if (name.length > 255) errors.name = ['is too long (maximum is 255 characters)'];
    if (Object.keys(errors).length) return { errors };
    // One location/organization per compute resource (the first given); none = every taxonomy.
    return { values: { name, provider, url: str(input.url), description: str(input.description) || null,
      location_id: firstId(input.location_ids), organization_id: firstId(input.organization_ids) } };
  },
  json: (row) => ({
    id: row.id, name: row.name, description: row.description, url: row.url, provider: row.provider,
    provider_friendly_name: row.provider, ...times(row),
  }),
};

export const OPERATINGSYSTEMS: ParentResource = {
  plural: 'operatingsystems', singular: 'operatingsystem', imageColumn: 'i.operatingsystem_id',
  repo: (c) => c.operatingsystems, fields: OPERATINGSYSTEM_SEARCH_FIELDS, friendlyColumn: 'title',
  attributes: ['name', 'major', 'minor', 'family', 'description', 'release_name'],
  uniqueColumn: 'title',
  toRow(input) {
    const errors: Record<string, string[]> = {};
    const name = str(input.name);
    const major = str(input.major);
    const minor = str(input.minor);
    if (!name) errors.name = ["can't be blank"];
    else if (/\s/.test(name)) errors.name = ["can't contain white spaces."];
    if (!major) errors.major = ["can't be blank"];
    else if (!/^\d+$/.test(major)) errors.major = ['is not a number'];
    if (Object.keys(errors).length) return { errors };
    const description = str(input.description) || null;
    return { values: { name, major, minor, family: str(input.family) || null, description, title: osTitle(name, major, minor, description) } };
  },
  json: (row) => ({
    id: row.id, name: row.name, major: row.major, minor: row.minor, family: row.family, description: row.description,
    title: row.title, release_name: null, ...times(row),
  }),
};

export const ARCHITECTURES: ParentResource = {
  plural: 'architectures', singular: 'architecture', imageColumn: 'i.architecture_id',
  repo: (c) => c.architectures, fields: ARCHITECTURE_SEARCH_FIELDS, friendlyColumn: 'name',
  attributes: ['name'],
  uniqueColumn: 'name',
  toRow(input) {
    const name = str(input.name);
    if (!name) return { errors: { name: ["can't be blank"] } };
    if (/\s/.test(name)) return { errors: { name: ["can't contain white spaces."] } };
    return { values: { name } };
  },
  json: (row) => ({ id: row.id, name: row.name, ...times(row) }),
};

export const PARENTS: readonly ParentResource[] = [COMPUTE_RESOURCES, OPERATINGSYSTEMS, ARCHITECTURES];
