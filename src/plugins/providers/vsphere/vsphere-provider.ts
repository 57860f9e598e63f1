import { readBoolean, readCredentialsDocument, readProviderDocument } from '../../sdk/provider-documents.js';
import type { VsphereTls } from './vim-client.js';

/** Where in vSphere a pushed VM goes, and how to reach and trust the vCenter. */
export interface VsphereProvider {
  /** The SDK endpoint, e.g. https://vcenter.example.com/sdk. */
  sdkUrl: string;
  /** Inventory path of the datacenter (default: the only one). */
  datacenter?: string;
  /** Cluster or host (path under the datacenter's host folder): the VM goes into its root resource pool. */
  computeResource?: string;
  /** Resource pool (path under the host folder, e.g. `DC0_C0/Resources/imports`); wins over computeResource. */
  resourcePool?: string;
  /** ESXi host to place the VM on (path under the host folder, e.g. `Cluster1/esx1.example.com`): needed in clusters without DRS. */
  hostSystem?: string;
  datastore: string;
  network: string;
  /** VM folder (path under the datacenter's vm folder; default: that folder). */
  folder?: string;
  vmName?: string;
  tls: VsphereTls;
}

export interface VsphereCredentials {
  username: string;
  password: string;
}

const FINGERPRINT_RE = /^(?:[0-9a-fA-F]{2}:?){19}[0-9a-fA-F]{2}$|^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;

/**
 * Reads the provider value: JSON (object or text) or the original's XML attributes
 * (`<provider type="vsphere" api-url=".." datastore=".." .../>`). The original's names are accepted
 * (`api-url`, `network_name`, `compute_resource`) next to the clearer ones.
 */
export function readVsphereProvider(provider: unknown): { provider?: VsphereProvider; problems: string[] } {
  if (typeof provider === 'string' && !/^\s*[{<]/.test(provider)) {
    return { problems: ['the provider must be a JSON object or an XML element with api-url and datastore (vSphere)'] };
  }
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const get = (...names: string[]) => { for (const n of names) { const v = f[n]?.trim(); if (v) return v; } return undefined; };
  const problems: string[] = [];
  if (f.password !== undefined || f.username !== undefined) {
    problems.push('username and password belong in the credentials (vsphere_credentials), not in the provider, which is stored');
  }
  let sdkUrl: string | undefined;
  const api = get('api-url', 'api_url', 'url', 'host');
  if (!api) problems.push('api-url is required (the vCenter SDK URL, e.g. https://vcenter.example.com/sdk)');
  else {
    try {
      const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(api) ? api : `https://${api}`);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push('api-url must be an http(s) URL');
      else if (u.username || u.password) problems.push('api-url must not carry a user or password (use the credentials)');
      else {
        if (u.pathname === '/' || u.pathname === '') u.pathname = '/sdk';
        sdkUrl = u.toString();
      }
    } catch { problems.push('api-url is not a valid URL'); }
  }
  const datastore = get('datastore');
  if (!datastore) problems.push('datastore is required (the datastore for the VM disk)');
  const caPem = get('ca_cert', 'ca-cert', 'ca_certificate');
  if (caPem && !/-----BEGIN CERTIFICATE-----/.test(caPem)) problems.push('ca_cert must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
  const fingerprint = get('thumbprint', 'fingerprint', 'ssl_thumbprint');
  if (fingerprint && !FINGERPRINT_RE.test(fingerprint)) problems.push('thumbprint must be the certificate\'s SHA-1 or SHA-256 fingerprint in hex (colons optional)');
  const insecureText = get('insecure');
  const insecure = readBoolean(insecureText);
  if (insecureText !== undefined && insecure === undefined) problems.push('insecure must be true or false');
  const vmName = get('vm_name', 'name');
  if (vmName && vmName.length > 80) problems.push('vm_name must be at most 80 characters (vSphere\'s limit)');
  if (problems.length || !sdkUrl || !datastore) return { problems };
  return {
    provider: {
      sdkUrl, datastore,
      datacenter: stripSlashes(get('datacenter')),
      computeResource: stripSlashes(get('compute_resource', 'cluster')),
      hostSystem: stripSlashes(get('host_system', 'esx_host')),
      resourcePool: stripSlashes(get('resource_pool', 'pool')),
      network: get('network', 'network_name') ?? 'VM Network',
      folder: stripSlashes(get('folder', 'vm_folder')),
      vmName,
      tls: { caPem, fingerprint, insecure: insecure ?? false },
    },
    problems,
  };
}

function stripSlashes(v: string | undefined): string | undefined {
  const s = v?.replace(/^\/+|\/+$/g, '');
  return s ? s : undefined;
}

/** `<vsphere_credentials><username/><password/></vsphere_credentials>` or JSON `{username, password}`. */
export function readVsphereCredentials(credentials: unknown): { credentials?: VsphereCredentials; problems: string[] } {
  if (credentials === undefined || credentials === null || credentials === '') return { problems: ['credentials are required: username and password (vsphere_credentials)'] };
  const read = readCredentialsDocument(credentials, 'vsphere');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const problems: string[] = [];
  const username = read.fields.username ?? read.fields.user;
  const password = read.fields.password;
  if (!username) problems.push('credentials: username is required');
  if (!password) problems.push('credentials: password is required');
  if (problems.length) return { problems };
  return { credentials: { username: username!, password: password! }, problems };
}
