import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';

/**
 * A test stand-in for Microsoft Entra ID's token endpoint and the parts of Azure Resource Manager
 * the Azure provider calls, following the documented REST contracts:
 * - OpenID discovery `GET /{tenant}/v2.0/.well-known/openid-configuration` and the OAuth 2.0
 *   client-credentials grant `POST /{tenant}/oauth2/v2.0/token` (AADSTS errors as Entra returns them);
 * - Compute "Images - Create Or Update / Get / Delete" and "Gallery Image Versions - Create Or
 *   Update / Get / Delete", with api-version checks, bearer-token and audience checks, ARM error
 *   bodies `{"error":{"code","message"}}`, and asynchronous operations: 201/202 with
 *   `Azure-AsyncOperation` (+ `Location` for deletes) polled until `Succeeded`/`Failed`, while the
 *   resource's provisioningState goes Creating → Succeeded.
 * Served over TLS with a CA generated for the test (Azure SDKs send bearer tokens only over https).
 * `inspectBlob` lets the server check, as Azure does, that an image's source VHD blob exists.
 */
export interface BlobFacts {
  exists: boolean;
  blobType?: string;
  size?: number;
  /** The last 512 bytes (the VHD footer). */
  tail?: Buffer;
}

export interface ArmServerOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroups: string[];
  inspectBlob: (uri: string) => Promise<BlobFacts>;
}

export interface ArmServer {
  /** https://127.0.0.1:PORT: the authority host and the ARM endpoint at once. */
  url: string;
  /** The CA certificate (PEM) that signed the server's certificate. */
  caPem: string;
  resources: Map<string, Record<string, unknown>>;
  /** Every request as "METHOD path" (no query), for assertions. */
  requests: string[];
  tokensIssued: number;
  addGalleryImage(resourceGroup: string, gallery: string, image: string, props: { osType: string; hyperVGeneration: string }): void;
  stop(): Promise<void>;
}

export const IMAGES_API_VERSIONS = ['2024-07-01', '2024-11-01', '2025-04-01', '2026-03-01'];
export const GALLERY_API_VERSIONS = ['2024-03-03', '2025-03-03'];
const POLLS_BEFORE_DONE = 1;

/** A CA and a server certificate for 127.0.0.1 made with openssl for this test run. */
export async function makeTestCertificates(dir: string): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const p = (n: string) => join(dir, n);
  await runTool(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=imagefactory test CA']);
  await runTool(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  await runTool(['sh', '-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n" > "$1"', 'sh', p('ext.cnf')]);
  await runTool(['openssl', 'x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf')]);
  return { caPem: await readFile(p('ca.pem'), 'utf8'), certPem: await readFile(p('server.pem'), 'utf8'), keyPem: await readFile(p('server.key'), 'utf8') };
}

interface Operation {
  polls: number;
  /** Runs when the operation completes: an error fails it. */
  finish: () => Promise<{ code: string; message: string } | null>;
  status?: 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
}

export async function startArmServer(dir: string, o: ArmServerOptions): Promise<ArmServer> {
  const certs = await makeTestCertificates(dir);
  const tokens = new Set<string>();
  const operations = new Map<string, Operation>();
  const resources = new Map<string, Record<string, unknown>>();
  const galleryImages = new Map<string, { osType: string; hyperVGeneration: string }>();
  const requests: string[] = [];
  let url = '';
  let tokensIssued = 0;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers });
    res.end(text);
  };
  const armError = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

  async function body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function aadError(res: ServerResponse, status: number, error: string, code: number, description: string) {
    const trace = randomUUID();
    send(res, status, {
      error, error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code], timestamp: new Date().toISOString(), trace_id: trace, correlation_id: randomUUID(),
    });
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string) {
    const form = new URLSearchParams(await body(req));
    if (tenant !== o.tenantId) return aadError(res, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') return aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== o.clientId) return aadError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`);
    if (form.get('client_secret') !== o.clientSecret) {
      return aadError(res, 401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${o.clientId}'.`);
    }
    if (form.get('scope') !== `${url}/.default`) return aadError(res, 400, 'invalid_resource', 500011, `The resource principal named ${form.get('scope')} was not found in the tenant named ${tenant}.`);
    const access = randomBytes(24).toString('base64url');
    tokens.add(access);
    tokensIssued++;
    send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access });
  }

  function openidConfiguration(res: ServerResponse, tenant: string) {
    send(res, 200, {
      token_endpoint: `${url}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${url}/${tenant}/v2.0`,
      authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${url}/${tenant}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
    });
  }

  /** Starts an asynchronous operation; the first response carries its polling URLs. */
  function startOperation(location: string, finish: Operation['finish'], apiVersion: string): { asyncUrl: string; locationUrl: string } {
    const id = randomUUID();
    operations.set(id, { polls: 0, finish });
    const base = `${url}/subscriptions/${o.subscriptionId}/providers/Microsoft.Compute/locations/${location}`;
    return {
      asyncUrl: `${base}/operations/${id}?p=x&api-version=${apiVersion}`,
      locationUrl: `${base}/operations/${id}?monitor=true&api-version=${apiVersion}`,
    };
  }

  async function advance(op: Operation): Promise<void> {
    if (op.status) return;
    if (op.polls++ < POLLS_BEFORE_DONE) return;
    const error = await op.finish();
    op.status = error ? 'Failed' : 'Succeeded';
    if (error) op.error = error;
  }

  async function pollOperation(res: ServerResponse, id: string, monitor: boolean) {
    const op = operations.get(id);
    if (!op) return armError(res, 404, 'NotFound', `The operation ${id} was not found.`);
    await advance(op);
    if (monitor) {
      // The Location header's URL: 202 while running, then the final status (204 for a delete).
      if (!op.status) return send(res, 202, undefined, { 'retry-after': '1', location: `${url}${reqPath(res)}` });
      if (op.status === 'Failed') return armError(res, 400, op.error!.code, op.error!.message);
      return send(res, 204);
    }
    const doc: Record<string, unknown> = { name: id, startTime: new Date().toISOString(), status: op.status ?? 'InProgress' };
    if (op.status) doc.endTime = new Date().toISOString();
    if (op.error) doc.error = op.error;
    send(res, 200, doc, op.status ? {} : { 'retry-after': '1' });
  }
  const pathOf = new WeakMap<ServerResponse, string>();
  const reqPath = (res: ServerResponse) => pathOf.get(res) ?? '';

  async function checkSourceBlob(uri: string, target: string): Promise<{ code: string; message: string } | null> {
    const facts = await o.inspectBlob(uri).catch((e: Error) => ({ exists: false, error: e.message }) as BlobFacts);
    if (!facts.exists) return { code: 'InvalidParameter', message: `The source blob ${uri} was not found. Target: '${target}'.` };
    if (facts.blobType !== 'PageBlob') return { code: 'InvalidParameter', message: `The source blob ${uri} is a ${facts.blobType}; only page blobs are supported. Target: '${target}'.` };
    const size = facts.size ?? 0;
    if (size < 512 || (size - 512) % (1024 * 1024) !== 0) {
      return { code: 'InvalidParameter', message: `The specified cookie value in VHD footer indicates that disk '${uri}' with blob size ${size} bytes is not a valid VHD: the virtual size must be a whole number of MiB. Target: '${target}'.` };
    }
    const tail = facts.tail ?? Buffer.alloc(0);
    if (tail.toString('latin1', 0, 8) !== 'conectix' || tail.readUInt32BE(60) !== 2) {
      return { code: 'InvalidParameter', message: `The blob ${uri} has no fixed-VHD footer. Target: '${target}'.` };
    }
    return null;
  }

  async function images(req: IncomingMessage, res: ServerResponse, rg: string, name: string, apiVersion: string) {
    const id = `/subscriptions/${o.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/images/${name}`;
    const existing = resources.get(id.toLowerCase());
    if (req.method === 'GET') {
      if (!existing) return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/images/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
      return send(res, 200, existing);
    }
    if (req.method === 'DELETE') {
      if (!existing) return send(res, 204);
      const location = String(existing.location);
      const op = startOperation(location, async () => { resources.delete(id.toLowerCase()); return null; }, apiVersion);
      (existing.properties as Record<string, unknown>).provisioningState = 'Deleting';
      return send(res, 202, undefined, { 'azure-asyncoperation': op.asyncUrl, location: op.locationUrl, 'retry-after': '1' });
    }
    if (req.method !== 'PUT') return armError(res, 405, 'MethodNotAllowed', `The requested resource does not support http method '${req.method}'.`);
    let doc: { location?: string; properties?: { hyperVGeneration?: string; storageProfile?: { osDisk?: { osType?: string; osState?: string; blobUri?: string } } }; tags?: unknown };
    try { doc = JSON.parse(await body(req)); } catch { return armError(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.'); }
    const osDisk = doc.properties?.storageProfile?.osDisk;
    if (!doc.location) return armError(res, 400, 'LocationRequired', 'The location property is required for this definition.');
    if (!osDisk?.blobUri) return armError(res, 400, 'InvalidParameter', "Required parameter 'osDisk.blobUri' is missing (null). Target: 'properties.storageProfile.osDisk'.");
    if (!['Linux', 'Windows'].includes(osDisk.osType ?? '')) return armError(res, 400, 'InvalidParameter', "The value of parameter osDisk.osType is invalid. Target: 'osType'.");
    if (osDisk.osState !== 'Generalized' && osDisk.osState !== 'Specialized') return armError(res, 400, 'InvalidParameter', "The value of parameter osDisk.osState is invalid. Target: 'osState'.");
    const gen = doc.properties?.hyperVGeneration ?? 'V1';
    if (gen !== 'V1' && gen !== 'V2') return armError(res, 400, 'InvalidParameter', "The value of parameter hyperVGeneration is invalid. Target: 'hyperVGeneration'.");
    const resource = {
      id, name, type: 'Microsoft.Compute/images', location: doc.location, tags: doc.tags ?? {},
      properties: {
        storageProfile: { osDisk: { ...osDisk, caching: 'ReadWrite' }, dataDisks: [] },
        provisioningState: 'Creating', hyperVGeneration: gen,
      },
    };
    resources.set(id.toLowerCase(), resource);
    const op = startOperation(doc.location, async () => {
      const error = await checkSourceBlob(osDisk.blobUri!, 'blobUri');
      if (error) resources.delete(id.toLowerCase());
      else resource.properties.provisioningState = 'Succeeded';
      return error;
    }, apiVersion);
    send(res, existing ? 200 : 201, resource, { 'azure-asyncoperation': op.asyncUrl, 'retry-after': '1' });
  }

  async function galleryVersions(req: IncomingMessage, res: ServerResponse, rg: string, gallery: string, image: string, version: string, apiVersion: string) {
    const defKey = `${rg}/${gallery}/${image}`.toLowerCase();
    const def = galleryImages.get(defKey);
    if (!def) return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/galleries/${gallery}/images/${image}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    const id = `/subscriptions/${o.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/galleries/${gallery}/images/${image}/versions/${version}`;
    const existing = resources.get(id.toLowerCase());
    if (req.method === 'GET') {
      if (!existing) return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/galleries/${gallery}/images/${image}/versions/${version}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
      return send(res, 200, existing);
    }
    if (req.method === 'DELETE') {
      if (!existing) return send(res, 204);
      const op = startOperation(String(existing.location), async () => { resources.delete(id.toLowerCase()); return null; }, apiVersion);
      (existing.properties as Record<string, unknown>).provisioningState = 'Deleting';
      return send(res, 202, undefined, { 'azure-asyncoperation': op.asyncUrl, location: op.locationUrl, 'retry-after': '1' });
    }
    if (req.method !== 'PUT') return armError(res, 405, 'MethodNotAllowed', `The requested resource does not support http method '${req.method}'.`);
    if (!/^\d+\.\d+\.\d+$/.test(version)) return armError(res, 400, 'InvalidParameter', `The gallery image version name '${version}' is invalid. It must be Major.Minor.Patch. Target: 'galleryImageVersionName'.`);
    let doc: { location?: string; publishingProfile?: unknown; properties?: { publishingProfile?: { targetRegions?: { name: string }[] }; storageProfile?: { osDiskImage?: { source?: { uri?: string; storageAccountId?: string } } } }; tags?: unknown };
    try { doc = JSON.parse(await body(req)); } catch { return armError(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.'); }
    if (!doc.location) return armError(res, 400, 'LocationRequired', 'The location property is required for this definition.');
    const source = doc.properties?.storageProfile?.osDiskImage?.source;
    if (!source?.uri) return armError(res, 400, 'InvalidParameter', "Required parameter 'source.uri' is missing. Target: 'properties.storageProfile.osDiskImage.source'.");
    if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i.test(source.storageAccountId ?? '')) {
      return armError(res, 400, 'InvalidParameter', "A storage account id is required with a VHD source: 'source.storageAccountId'. Target: 'properties.storageProfile.osDiskImage.source.storageAccountId'.");
    }
    const regions = doc.properties?.publishingProfile?.targetRegions ?? [{ name: doc.location }];
    const resource = {
      id, name: version, type: 'Microsoft.Compute/galleries/images/versions', location: doc.location, tags: doc.tags ?? {},
      properties: {
        publishingProfile: { targetRegions: regions, replicaCount: 1, publishedDate: new Date().toISOString(), storageAccountType: 'Standard_LRS' },
        storageProfile: { osDiskImage: { hostCaching: 'ReadWrite', source } },
        provisioningState: 'Creating',
      },
    };
    resources.set(id.toLowerCase(), resource);
    const op = startOperation(doc.location, async () => {
      const error = await checkSourceBlob(source.uri!, 'source.uri');
      if (error) resources.delete(id.toLowerCase());
      else resource.properties.provisioningState = 'Succeeded';
      return error;
    }, apiVersion);
    send(res, existing ? 200 : 201, resource, { 'azure-asyncoperation': op.asyncUrl, 'retry-after': '1' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', url);
    const path = u.pathname;
    pathOf.set(res, path + u.search);
    requests.push(`${req.method} ${path}`);
    let m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (m && req.method === 'GET') return openidConfiguration(res, m[1]);
    m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (m && req.method === 'POST') return token(req, res, m[1]);

    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return armError(res, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (!tokens.has(auth.slice(7))) return armError(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    const apiVersion = u.searchParams.get('api-version');
    if (!apiVersion) return armError(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");

    m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/operations\/([^/]+)$/i.exec(path);
    if (m && req.method === 'GET') return pollOperation(res, m[3], u.searchParams.get('monitor') === 'true');

    m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/(.+)$/i.exec(path);
    if (!m) return armError(res, 404, 'InvalidResourceType', `The resource type could not be found in the namespace for api version '${apiVersion}'.`);
    const [, sub, rg, rest] = m;
    if (sub !== o.subscriptionId) return armError(res, 404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
    if (!o.resourceGroups.some((g) => g.toLowerCase() === rg.toLowerCase())) return armError(res, 404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    const image = /^images\/([^/]+)$/i.exec(rest);
    const version = /^galleries\/([^/]+)\/images\/([^/]+)\/versions\/([^/]+)$/i.exec(rest);
    const supported = image ? IMAGES_API_VERSIONS : version ? GALLERY_API_VERSIONS : null;
    if (!supported) return armError(res, 404, 'InvalidResourceType', `The resource type '${rest.split('/')[0]}' could not be found in the namespace 'Microsoft.Compute'.`);
    if (!supported.includes(apiVersion)) {
      return armError(res, 400, 'NoRegisteredProviderFound', `No registered resource provider found for location 'westeurope' and API version '${apiVersion}' for type '${image ? 'images' : 'galleries/images/versions'}'. The supported api-versions are '${supported.join(', ')}'.`);
    }
    if (image) return images(req, res, rg, decodeURIComponent(image[1]), apiVersion);
    return galleryVersions(req, res, rg, version![1], version![2], version![3], apiVersion);
  }

  const server: Server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    handle(req, res).catch((e: Error) => { if (!res.headersSent) armError(res, 500, 'InternalServerError', e.message); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url, caPem: certs.caPem, resources, requests,
    get tokensIssued() { return tokensIssued; },
    addGalleryImage(rg, gallery, image, props) { galleryImages.set(`${rg}/${gallery}/${image}`.toLowerCase(), props); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
