import { IMAGE_SEARCH_FIELDS, type SearchFields } from '../../catalog/search/search-fields.js';
import { PARENTS } from './parent-resources.js';

/** An apipie parameter (what apypie reads: name, type, required, allow_nil, nested params). */
interface Param {
  name: string;
  full_name: string;
  description: string;
  required: boolean;
  allow_nil: boolean;
  validator: string;
  expected_type: 'string' | 'numeric' | 'boolean' | 'hash';
  params?: Param[];
}

interface Method { name: string; apis: [method: string, url: string][]; params: Param[] }

const VALIDATOR = { string: 'Must be a String', numeric: 'Must be a number.', boolean: 'Must be one of: true, false, 1, 0.', hash: 'Must be a Hash' };

function param(name: string, type: Param['expected_type'], required = false, params?: Param[], parent?: string): Param {
  const full = parent ? `${parent}[${name}]` : name;
  return {
    name, full_name: full, description: '', required, allow_nil: !required, validator: VALIDATOR[type], expected_type: type,
    ...(params ? { params: params.map((p) => ({ ...p, full_name: `${full}[${p.name}]` })) } : {}),
  };
}

const taxonomy = [param('location_id', 'numeric'), param('organization_id', 'numeric')];
const listing = [param('search', 'string'), param('order', 'string'), param('page', 'numeric'), param('per_page', 'numeric'), ...taxonomy];
const both = (path: string): [string, string][] => [['GET', `/api${path}`]];

const IMAGE_ATTRS = (required: boolean) => [
  param('name', 'string', required), param('username', 'string', required), param('uuid', 'string', required),
  param('password', 'string'), param('compute_resource_id', 'numeric', required), param('architecture_id', 'numeric', required),
  param('operatingsystem_id', 'numeric', required), param('user_data', 'boolean'),
];

/**
 * The methods we serve, per resource. Every URL here is routed by this surface (a test checks it); the
 * `hosts` resource is listed without URLs only because the Ansible collection's apidoc patch reads
 * hosts#update's params unconditionally.
 */
function methods(): Record<string, Method[]> {
  const nested = PARENTS.map((p) => `/${p.plural}/:${p.singular}_id/images`);
  const out: Record<string, Method[]> = {
    home: [{ name: 'status', apis: [['GET', '/api/status']], params: [] }],
    images: [
      { name: 'index', apis: nested.map((n) => ['GET', `/api${n}`]), params: [...nested.map((_, i) => param(`${PARENTS[i].singular}_id`, 'string')), ...listing] },
      { name: 'show', apis: nested.map((n) => ['GET', `/api${n}/:id`]), params: [param('id', 'numeric', true), ...PARENTS.map((p) => param(`${p.singular}_id`, 'string'))] },
      { name: 'create', apis: [['POST', '/api/compute_resources/:compute_resource_id/images']], params: [param('compute_resource_id', 'string', true), param('image', 'hash', true, IMAGE_ATTRS(true)), ...taxonomy] },
      { name: 'update', apis: [['PUT', '/api/compute_resources/:compute_resource_id/images/:id']], params: [param('id', 'numeric', true), param('compute_resource_id', 'string', true), param('image', 'hash', true, IMAGE_ATTRS(false)), ...taxonomy] },
      { name: 'destroy', apis: [['DELETE', '/api/compute_resources/:compute_resource_id/images/:id']], params: [param('id', 'numeric', true), param('compute_resource_id', 'string', true), ...taxonomy] },
    ],
    hosts: [{ name: 'update', apis: [], params: [] }],
  };
  for (const p of PARENTS) {
    out[p.plural] = [
      { name: 'index', apis: both(`/${p.plural}`), params: listing },
      { name: 'show', apis: both(`/${p.plural}/:id`), params: [param('id', 'string', true), ...taxonomy] },
      { name: 'create', apis: [['POST', `/api/${p.plural}`]], params: [param(p.singular, 'hash', true, p.attributes.map((a) => param(a, a.endsWith('_ids') ? 'string' : 'string', a === 'name'))), ...taxonomy] },
    ];
  }
  return out;
}

/** Search metadata apipie shows for index actions (scoped_search fields). */
function searchMetadata(fields: SearchFields) {
  return { search: Object.entries(fields).map(([name, f]) => ({ name, type: f.type, values: f.type === 'set' ? ['true', 'false'] : null })) };
}

/** GET /apidoc/v2.json: an apipie document for the routes above (apypie and hammer read it). */
export function apidocument(version: string) {
  const resources: Record<string, unknown> = {};
  for (const [name, ms] of Object.entries(methods())) {
    resources[name] = {
      doc_url: `/apidoc/v2/${name}`, id: name, api_url: '/api', name: name[0].toUpperCase() + name.slice(1).replace(/_/g, ' '),
      short_description: null, full_description: '', version: 'v2', formats: null, metadata: null, headers: [], deprecated: null,
      methods: ms.map((m) => ({
        doc_url: `/apidoc/v2/${name}/${m.name}`, name: m.name,
        apis: m.apis.map(([http_method, api_url]) => ({ api_url, http_method, short_description: `${m.name} ${name}`, deprecated: null })),
        formats: null, full_description: '', errors: [], params: m.params, returns: [], examples: [],
        metadata: m.name === 'index' && name === 'images' ? searchMetadata(IMAGE_SEARCH_FIELDS)
          : m.name === 'index' ? searchMetadata(PARENTS.find((p) => p.plural === name)?.fields ?? {}) : null,
        see: [], headers: [], show: true,
      })),
    };
  }
  return { docs: { name: 'Foreman', info: `Foreman API v2 (images catalog of imagefactory ${version})`, copyright: '', doc_url: '/apidoc/v2', api_url: '/api', resources } };
}
