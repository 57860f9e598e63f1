import { readBoolean, readCredentialsDocument, readProviderDocument } from '../../sdk/provider-documents.js';

/** The engine, the storage domain that receives the disk, and how the disk is named and verified. */
export interface OvirtProvider {
  /** The REST API v4 root, e.g. https://engine.example.com/ovirt-engine/api. */
  apiUrl: string;
  /** The OAuth SSO token endpoint beside it (…/ovirt-engine/sso/oauth/token). */
  ssoUrl: string;
  storageDomain: string;
  /** Alias of the new disk; undefined = imagefactory-<target image id>. */
  diskName?: string;
  description?: string;
  /** PEM text of the CA that signed the engine's (and imageio's) certificates. */
  caCert?: string;
  /** Path of that CA file on the daemon host. */
  caFile?: string;
  /** Skip TLS verification (test labs only). */
  insecure: boolean;
  /** Seconds to wait for the disk, the transfer and its finalization. */
  timeoutSeconds: number;
  /** Thin-provisioned disk (false = preallocated, which raw disks on block storage domains need). */
  sparse: boolean;
  /** When set, a template of this name is made from the disk (through a helper VM in `cluster`). */
  template?: string;
  cluster: string;
  memoryMiB: number;
}

export interface OvirtCredentials {
  username: string;
  password: string;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$/;

/**
 * Reads `{"api-url", "storage_domain", "disk_name", "description", "ca_cert", "ca_file", "insecure",
 * "timeout", "sparse", "template", "cluster", "memory"}` from JSON or a provider element's attributes (`<provider api-url=".." storage_domain=".."/>`).
 * `api-url` may name the API root (…/ovirt-engine/api) or just the engine (https://engine).
 */
export function readOvirtProvider(provider: unknown): { provider?: OvirtProvider; problems: string[] } {
  if (typeof provider === 'string' && !/^\s*[{<]/.test(provider)) {
    return { problems: ['the provider must be a JSON object or an XML element with api-url and storage_domain'] };
  }
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  let apiUrl: string | undefined;
  let ssoUrl: string | undefined;
  const given = f['api-url'] ?? f.api_url ?? f.url;
  if (!given) {
    problems.push('api-url is required (the engine\'s REST API, e.g. https://engine.example.com/ovirt-engine/api)');
  } else {
    try {
      const u = new URL(given);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      if (u.username || u.password || u.search || u.hash) throw new Error('extras');
      let path = u.pathname.replace(/\/+$/, '');
      if (path === '') path = '/ovirt-engine/api';
      if (!path.endsWith('/api')) throw new Error('path');
      apiUrl = `${u.origin}${path}`;
      ssoUrl = `${u.origin}${path.replace(/\/api$/, '')}/sso/oauth/token`;
    } catch {
      problems.push('api-url must be an http(s) URL of the engine API (https://engine.example.com/ovirt-engine/api), without credentials or a query');
    }
  }
  const storageDomain = f.storage_domain ?? f['storage-domain'];
  if (!storageDomain) problems.push('storage_domain is required (the data domain that receives the disk)');
  else if (!NAME_RE.test(storageDomain)) problems.push('storage_domain must be a storage domain name');
  const diskName = f.disk_name ?? f['disk-name'];
  if (diskName !== undefined && !NAME_RE.test(diskName)) problems.push('disk_name must be letters, digits, _ . + -');
  const insecure = readBoolean(f.insecure);
  if (f.insecure !== undefined && insecure === undefined) problems.push('insecure must be true or false');
  const caCert = f.ca_cert ?? f['ca-cert'];
  if (caCert !== undefined && !/-----BEGIN CERTIFICATE-----/.test(caCert)) problems.push('ca_cert must be PEM text (-----BEGIN CERTIFICATE-----…)');
  const caFile = f.ca_file ?? f['ca-file'];
  if (caFile !== undefined && !caFile.startsWith('/')) problems.push('ca_file must be an absolute path on the daemon host');
  const timeoutSeconds = f.timeout === undefined ? 1800 : Number(f.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) problems.push('timeout must be a whole number of seconds');
  const sparse = readBoolean(f.sparse);
  if (f.sparse !== undefined && sparse === undefined) problems.push('sparse must be true or false');
  const template = f.template || undefined;
  if (template !== undefined && !NAME_RE.test(template)) problems.push('template must be a template name (letters, digits, _ . + -)');
  const cluster = f.cluster ?? 'Default';
  if (!NAME_RE.test(cluster)) problems.push('cluster must be a cluster name');
  const memoryMiB = f.memory === undefined ? 1024 : Number(f.memory);
  if (!Number.isInteger(memoryMiB) || memoryMiB < 64) problems.push('memory must be a whole number of MiB (at least 64)');
  if (problems.length || !apiUrl || !ssoUrl || !storageDomain) return { problems };
  return {
    provider: {
      apiUrl, ssoUrl, storageDomain, diskName, description: f.description, caCert, caFile,
      insecure: insecure ?? false, timeoutSeconds, sparse: sparse ?? true, template, cluster, memoryMiB,
    },
    problems,
  };
}

/**
 * The original's `<provider_credentials><rhevm_credentials><username/><password/></rhevm_credentials>
 * </provider_credentials>`, or the same fields as JSON. The username is `user@profile` (admin@internal).
 */
export function readOvirtCredentials(credentials: unknown): { credentials?: OvirtCredentials; problems: string[] } {
  const read = readCredentialsDocument(credentials, 'rhevm');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const missing = ['username', 'password'].filter((k) => !read.fields[k]);
  if (missing.length) return { problems: [`credentials need ${missing.join(' and ')} (<rhevm_credentials><username/><password/></rhevm_credentials>)`] };
  return { credentials: { username: read.fields.username, password: read.fields.password }, problems: [] };
}
