/**
 * Describes every route of the four APIs for the OpenAPI document, from one table, as the routes
 * are registered (an onRoute hook on the root app): a summary, a tag, the path parameters (as the
 * route's params schema, which Fastify then validates: path segments are strings, so no request
 * that used to pass fails) and the response schemas of schemas.ts. A route the table does not
 * know gets no summary, which test/api/openapi.test.ts reports.
 */
import type { RouteOptions } from 'fastify';
import * as s from './schemas.js';

type Schema = Record<string, unknown>;
type Responses = Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;

interface RouteDoc { methods: string[]; url: RegExp; tag: string; summary: string; responses: Responses }

const json = (schema: Schema) => ({ 'application/json': { schema } });
const text = { 'text/plain': { schema: { type: 'string' } } };
const binary = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
const ifDoc = (schema: Schema) => ({ ...json(schema), 'application/xml': { schema: { type: 'string' } } });
const ifError = (d: string) => ({ description: d, content: text });
const IF_ERRORS: Responses = { 400: ifError('Bad request: the message names the field and the problem'), 401: ifError('OAuth signature missing or wrong'), 404: ifError('No such image') };

const KIND = '(base_image|target_image|provider_image)';
/** The original's nested aliases: /imagefactory[/base_images/:b[/target_images/:t] | /target_images/:t]/<kind>s. */
const NESTED = '^/imagefactory(/base_images/:b(/target_images/:t)?|/target_images/:t)?';

function imageRoutes(): RouteDoc[] {
  const out: RouteDoc[] = [];
  for (const kind of ['base_image', 'target_image', 'provider_image'] as const) {
    const c = `${kind}s`;
    const any = NESTED;
    out.push(
      { methods: ['GET'], url: new RegExp(`${any}/${c}$`), tag: 'Image Factory', summary: `List ${kind.replace('_', ' ')}s`, responses: { 200: { description: 'References to the images', content: ifDoc(s.imageListSchema(kind)) }, ...IF_ERRORS } },
      { methods: ['POST'], url: new RegExp(`${any}/${c}$`), tag: 'Image Factory', summary: `Create a ${kind.replace('_', ' ')} (build starts; 202)`, responses: { 202: { description: 'Accepted: the new image, NEW or PENDING', content: ifDoc(s.createdImageSchema(kind)) }, ...IF_ERRORS } },
      { methods: ['GET'], url: new RegExp(`${any}/${c}/:id$`), tag: 'Image Factory', summary: `Show a ${kind.replace('_', ' ')} (status, percent_complete, activity, relations)`, responses: { 200: { description: 'The image', content: ifDoc(s.imageSchema(kind)) }, ...IF_ERRORS } },
      { methods: ['DELETE'], url: new RegExp(`${any}/${c}/:id$`), tag: 'Image Factory', summary: `Delete a ${kind.replace('_', ' ')} (and its files; provider images also on the provider)`, responses: { 204: { description: 'Deletion started' }, ...IF_ERRORS } },
    );
  }
  return out;
}

const NOVA = '^/v2\\.1(/:project_id)?/?';
const novaErr = { 401: { description: 'Token missing or unknown', content: json(s.novaFault) }, 404: { description: 'No such image', content: json(s.novaFault) } };
const FOREMAN = '^/api(/v2)?';
const PARENT = '(compute_resources|operatingsystems|architectures)';
const foremanErr = { 401: { description: 'Unauthorized', content: json(s.foremanError) }, 404: { description: 'Not found', content: json(s.foremanError) }, 422: { description: 'Validation failed', content: json(s.foremanError) } };
const HOSTWAY = '^(/accounts/:account_id/flexcloud)?';
const hostwayErr = { 401: { description: 'Unauthorized', content: text }, 404: { description: 'No such image', content: text } };

export const ROUTE_DOCS: readonly RouteDoc[] = [
  { methods: ['GET'], url: /^\/imagefactory$/, tag: 'Image Factory', summary: 'API name and version', responses: { 200: { description: 'The API document', content: ifDoc({ type: 'object' }) } } },
  { methods: ['GET'], url: /^\/imagefactory\/openapi\.json$/, tag: 'Image Factory', summary: 'This OpenAPI 3.1 document (all four APIs and /metrics)', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object', required: ['openapi', 'paths'] }) } } },
  ...imageRoutes(),
  { methods: ['POST'], url: /^\/imagefactory\/base_images\/import$/, tag: 'Image Factory', summary: 'Import an existing disk (qcow2, vmdk, vhdx, vdi, vpc, raw) as a base image', responses: { 202: { description: 'Accepted: the new base image', content: ifDoc(s.createdImageSchema('base_image')) }, 413: ifError('Upload or virtual size too large'), ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory(\/base_images(\/:b)?|\/base_images\/:b\/target_images(\/:t)?|\/target_images(\/:t)?|\/target_images\/:t\/provider_images|\/base_images\/:b\/target_images\/:t\/provider_images|\/provider_images)\/:id\/raw_image$/, tag: 'Image Factory', summary: 'Download the image file', responses: { 200: { description: 'The image body', content: binary }, ...IF_ERRORS } },
  { methods: ['GET'], url: new RegExp(`^/imagefactory/${KIND}s/:id/log$`), tag: 'Image Factory', summary: 'The build log (follow=true streams it live)', responses: { 200: { description: 'The log', content: text }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/base_images\/:id\/serial_log$/, tag: 'Image Factory', summary: 'Serial console log of the boot test', responses: { 200: { description: 'The serial log', content: text }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/base_images\/:id\/sbom$/, tag: 'Image Factory', summary: 'SPDX 2.3 SBOM of the installed packages', responses: { 200: { description: 'SPDX JSON', content: json({ type: 'object', required: ['spdxVersion'] }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/plugins\/?$/, tag: 'Image Factory', summary: 'List the plugins', responses: { 200: { description: 'The plugins', content: ifDoc({ type: 'object', required: ['plugins'] }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/plugins\/:plugin_id$/, tag: 'Image Factory', summary: 'Show a plugin', responses: { 200: { description: 'The plugin', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/targets$/, tag: 'Image Factory', summary: 'List the targets', responses: { 200: { description: 'The targets', content: ifDoc({ type: 'object', required: ['targets'] }) } } },
  { methods: ['GET'], url: /^\/imagefactory\/targets\/:t$/, tag: 'Image Factory', summary: 'Show a target and its parameters', responses: { 200: { description: 'The target', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/targets\/:t\/providers$/, tag: 'Image Factory', summary: 'The providers of a target', responses: { 200: { description: 'The providers', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/targets\/:t\/providers\/:p$/, tag: 'Image Factory', summary: 'Show a provider of a target (fields of its provider and credentials documents)', responses: { 200: { description: 'The provider', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/jeos$/, tag: 'Image Factory', summary: 'JEOS configuration lines', responses: { 200: { description: 'The JEOS entries', content: ifDoc({ type: 'object' }) } } },
  { methods: ['GET'], url: /^\/imagefactory\/jeos\/images$/, tag: 'Image Factory', summary: 'JEOS images', responses: { 200: { description: 'The JEOS images', content: ifDoc({ type: 'object' }) } } },
  { methods: ['GET'], url: /^\/imagefactory\/jeos\/images\/:jeos_id$/, tag: 'Image Factory', summary: 'One JEOS image', responses: { 200: { description: 'The JEOS image', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/events$/, tag: 'Image Factory', summary: 'Server-sent events: every image state change (filters: image, kind, type; Last-Event-ID resumes)', responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...IF_ERRORS } },
  { methods: ['POST'], url: /^\/imagefactory\/templates\/validate$/, tag: 'Image Factory', summary: 'Check a TDL template with the build\'s own parser and OS plugin checks (nothing is built)', responses: { 200: { description: 'The template is valid: a summary of it', content: json({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/imagefactory\/workers$/, tag: 'Image Factory', summary: 'Build workers (queue mode): capabilities, current jobs, last heartbeat; queue depth per kind', responses: { 200: { description: 'The workers', content: ifDoc({ type: 'object' }) }, ...IF_ERRORS } },
  { methods: ['GET'], url: /^\/dashboard\/?$/, tag: 'Dashboard', summary: 'The web dashboard (HTML)', responses: { 200: { description: 'The dashboard page', content: { 'text/html': { schema: { type: 'string' } } } } } },
  { methods: ['GET'], url: /^\/dashboard\/assets\/:file$/, tag: 'Dashboard', summary: 'A dashboard script or style sheet', responses: { 200: { description: 'The asset', content: text }, 404: { description: 'No such asset', content: text } } },
  { methods: ['GET'], url: /^\/dashboard\/session$/, tag: 'Dashboard', summary: 'The current dashboard session (user, CSRF token) or none', responses: { 200: { description: 'The session', content: json({ type: 'object' }) } } },
  { methods: ['POST'], url: /^\/dashboard\/(login|logout)$/, tag: 'Dashboard', summary: 'Log in (OAuth consumer key and secret, or a dashboard user) or log out', responses: { 200: { description: 'Done', content: json({ type: 'object' }) }, 401: { description: 'Wrong name or secret', content: json({ type: 'object' }) } } },
  { methods: ['GET'], url: /^\/dashboard\/api\/(tree|catalog)$/, tag: 'Dashboard', summary: 'Paged image tree or catalog rows for the dashboard', responses: { 200: { description: 'A page', content: json({ type: 'object' }) }, 401: { description: 'No session', content: json({ type: 'object' }) } } },
  { methods: ['GET'], url: /^\/metrics$/, tag: 'Metrics', summary: 'Prometheus metrics (text format 0.0.4)', responses: { 200: { description: 'Metrics', content: text }, 401: { description: 'metrics_users or metrics_token is set and the request did not carry them', content: text } } },
  // Nova (OpenStack Compute images proxy)
  { methods: ['GET'], url: /^\/$/, tag: 'Nova', summary: 'Compute API versions', responses: { 200: { description: 'Version list', content: json({ type: 'object', required: ['versions'] }) } } },
  { methods: ['GET'], url: /^\/v2\.1\/?$/, tag: 'Nova', summary: 'Compute API v2.1 version document', responses: { 200: { description: 'Version document', content: json({ type: 'object', required: ['version'] }) } } },
  { methods: ['GET'], url: new RegExp(`${NOVA}/images$`), tag: 'Nova', summary: 'List images (id, name, links)', responses: { 200: { description: 'Images', content: json(s.novaImageIndex) }, ...novaErr } },
  { methods: ['GET'], url: new RegExp(`${NOVA}/images/detail$`), tag: 'Nova', summary: 'List images with details', responses: { 200: { description: 'Images', content: json(s.novaImageDetailList) }, ...novaErr } },
  { methods: ['GET'], url: new RegExp(`${NOVA}/images/:id$`), tag: 'Nova', summary: 'Show an image', responses: { 200: { description: 'The image', content: json(s.novaImage) }, ...novaErr } },
  { methods: ['DELETE'], url: new RegExp(`${NOVA}/images/:id$`), tag: 'Nova', summary: 'Delete an image', responses: { 204: { description: 'Deleted' }, ...novaErr } },
  { methods: ['GET'], url: new RegExp(`${NOVA}/images/:image_id/metadata$`), tag: 'Nova', summary: 'Image metadata', responses: { 200: { description: 'Metadata', content: json({ type: 'object', required: ['metadata'] }) }, ...novaErr } },
  { methods: ['POST'], url: new RegExp(`${NOVA}/images/:image_id/metadata$`), tag: 'Nova', summary: 'Add or change metadata items', responses: { 200: { description: 'Metadata', content: json({ type: 'object', required: ['metadata'] }) }, ...novaErr } },
  { methods: ['PUT'], url: new RegExp(`${NOVA}/images/:image_id/metadata$`), tag: 'Nova', summary: 'Replace all metadata', responses: { 200: { description: 'Metadata', content: json({ type: 'object', required: ['metadata'] }) }, ...novaErr } },
  { methods: ['GET'], url: new RegExp(`${NOVA}/images/:image_id/metadata/:key$`), tag: 'Nova', summary: 'One metadata item', responses: { 200: { description: 'The item', content: json({ type: 'object', required: ['meta'] }) }, ...novaErr } },
  { methods: ['PUT'], url: new RegExp(`${NOVA}/images/:image_id/metadata/:key$`), tag: 'Nova', summary: 'Set one metadata item', responses: { 200: { description: 'The item', content: json({ type: 'object', required: ['meta'] }) }, ...novaErr } },
  { methods: ['DELETE'], url: new RegExp(`${NOVA}/images/:image_id/metadata/:key$`), tag: 'Nova', summary: 'Delete one metadata item', responses: { 204: { description: 'Deleted' }, ...novaErr } },
  // Foreman
  { methods: ['GET'], url: new RegExp(`${FOREMAN}/status$`), tag: 'Foreman', summary: 'Foreman status', responses: { 200: { description: 'Status', content: json({ type: 'object', required: ['result', 'status', 'version', 'api_version'] }) }, ...foremanErr } },
  { methods: ['GET'], url: new RegExp(`${FOREMAN}/${PARENT}$`), tag: 'Foreman', summary: 'List compute resources, operating systems or architectures', responses: { 200: { description: 'Page of results', content: json({ type: 'object', required: ['results'] }) }, ...foremanErr } },
  { methods: ['GET'], url: new RegExp(`${FOREMAN}/${PARENT}/:id$`), tag: 'Foreman', summary: 'Show a compute resource, operating system or architecture', responses: { 200: { description: 'The resource', content: json({ type: 'object', required: ['id'] }) }, ...foremanErr } },
  { methods: ['POST'], url: new RegExp(`${FOREMAN}/${PARENT}$`), tag: 'Foreman', summary: 'Create a compute resource, operating system or architecture', responses: { 201: { description: 'Created', content: json({ type: 'object', required: ['id'] }) }, ...foremanErr } },
  { methods: ['GET'], url: new RegExp(`${FOREMAN}/${PARENT}/:parent_id/images$`), tag: 'Foreman', summary: 'List images (search, order, page, per_page, thin)', responses: { 200: { description: 'Page of images', content: json(s.foremanImageIndex) }, ...foremanErr } },
  { methods: ['GET'], url: new RegExp(`${FOREMAN}/${PARENT}/:parent_id/images/:id$`), tag: 'Foreman', summary: 'Show an image', responses: { 200: { description: 'The image', content: json(s.foremanImage1) }, ...foremanErr } },
  { methods: ['POST'], url: new RegExp(`${FOREMAN}/${PARENT}/:parent_id/images$`), tag: 'Foreman', summary: 'Create an image record', responses: { 201: { description: 'Created', content: json(s.foremanImage1) }, ...foremanErr } },
  { methods: ['PUT', 'PATCH'], url: new RegExp(`${FOREMAN}/${PARENT}/:parent_id/images/:id$`), tag: 'Foreman', summary: 'Update an image record', responses: { 200: { description: 'Updated', content: json(s.foremanImage1) }, ...foremanErr } },
  { methods: ['DELETE'], url: new RegExp(`${FOREMAN}/${PARENT}/:parent_id/images/:id$`), tag: 'Foreman', summary: 'Delete an image (and its provider image)', responses: { 200: { description: 'The deleted record', content: json({ type: 'object', required: ['id'] }) }, ...foremanErr } },
  { methods: ['GET'], url: /^\/apidoc\/v2\.json$/, tag: 'Foreman', summary: 'Foreman apipie documentation (for hammer/apypie)', responses: { 200: { description: 'apipie JSON', content: json({ type: 'object', required: ['docs'] }) } } },
  // Hostway
  { methods: ['GET'], url: new RegExp(`${HOSTWAY}/images$`), tag: 'Hostway', summary: 'List images', responses: { 200: { description: 'Images', content: json(s.hostwayImages) }, ...hostwayErr } },
  { methods: ['GET'], url: new RegExp(`${HOSTWAY}/images/detail$`), tag: 'Hostway', summary: 'List images with details', responses: { 200: { description: 'Images', content: json(s.hostwayImages) }, ...hostwayErr } },
  { methods: ['GET'], url: new RegExp(`${HOSTWAY}/images/:id$`), tag: 'Hostway', summary: 'Show an image', responses: { 200: { description: 'The image', content: json({ type: 'object', required: ['image'] }) }, ...hostwayErr } },
];

/** Path parameters of a Fastify URL ("/a/:id/b/:key" → id, key). */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

/** Adds the table's description (and a params schema) to a route being registered. */
export function describeRoute(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.hide) return;
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
  const doc = ROUTE_DOCS.find((d) => methods.every((m) => d.methods.includes(m)) && d.url.test(route.url));
  const params = pathParams(route.url);
  route.schema = {
    ...(params.length && !schema.params ? {
      params: { type: 'object', required: params, properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) },
    } : {}),
    ...(doc ? { tags: [doc.tag], summary: doc.summary, response: doc.responses } : {}),
    ...schema,
  };
}
