import { readBoolean, readCredentialsDocument, readProviderDocument, type FieldMap } from '../../sdk/provider-documents.js';

/** Where a push puts the volume, and the domain it may define for it. */
export interface LibvirtProvider {
  /** The connection URI as the user wrote it (never carries a secret: credentials are added at run time). */
  uri: string;
  /** Whether the URI runs over SSH (ssh_key applies). */
  ssh: boolean;
  pool: string;
  /** Volume name; undefined = derived from the target image id. */
  volume?: string;
  defineDomain: boolean;
  /** Domain name; undefined = the volume name without its extension. */
  domain?: string;
  memoryMiB: number;
  vcpus: number;
  /** auto = kvm when libvirt reports it can run KVM domains for the arch, else qemu (TCG). */
  domainType: 'auto' | 'kvm' | 'qemu';
  /** A libvirt network for one virtio NIC; none when absent. */
  network?: string;
}

/** What virsh needs to authenticate to a remote libvirtd: an SSH private key, by file path. */
export interface LibvirtCredentials {
  sshKey?: string;
}

/** libvirt drivers we push to: QEMU/KVM, locally (unix socket) or remotely. `+ext` (runs a command) is refused. */
const URI_RE = /^qemu(?:\+(unix|ssh|libssh|libssh2|tcp|tls))?:\/\/([^/?#]*)\/(system|session)$/i;
const SSH_TRANSPORTS = new Set(['ssh', 'libssh', 'libssh2']);
/** libvirt object names: no slashes (volume names become file names in dir pools), no control characters. */
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;

/** Whether a plain provider string is a libvirt URI this plugin takes (`qemu:///system`, `qemu+ssh://host/system`). */
export function isLibvirtUri(s: string): boolean {
  return /^qemu(\+[a-z0-9]+)?:\/\//i.test(s);
}

/**
 * Reads the provider: a plain URI string, or a JSON/XML document with `uri` (default qemu:///system),
 * `pool`, `volume`, `define_domain`, `domain`, `memory` (MiB), `vcpus`, `domain_type`, `network`.
 * The push's parameters may carry the domain fields too (they win).
 */
export function readLibvirtProvider(provider: unknown, parameters: Record<string, unknown> = {}): { provider?: LibvirtProvider; problems: string[] } {
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f: FieldMap = { ...read.fields };
  for (const [k, v] of Object.entries(parameters)) {
    if (['define_domain', 'domain', 'memory', 'vcpus', 'domain_type', 'network'].includes(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) f[k] = String(v);
  }
  const problems: string[] = [];
  const uri = (f.uri ?? (f.name && isLibvirtUri(f.name) ? f.name : undefined) ?? 'qemu:///system').trim();
  const m = URI_RE.exec(uri);
  if (!m) {
    problems.push(f.name && !f.uri && !isLibvirtUri(f.name)
      ? 'the provider must be a libvirt URI (qemu:///system, qemu+ssh://user@host/system) or a document with "uri"'
      : 'uri must be qemu:///system, qemu:///session or qemu+ssh|libssh|libssh2|tcp|tls://[user@]host[:port]/system, without query parameters');
  } else if (m[1] && !m[2]) {
    problems.push(`uri: the ${m[1]} transport needs a host`);
  }
  const pool = f.pool ?? 'default';
  if (!NAME_RE.test(pool)) problems.push('pool must be a libvirt pool name (letters, digits, _ . + -)');
  if (f.volume !== undefined && !NAME_RE.test(f.volume)) problems.push('volume must be a file-name-like volume name (letters, digits, _ . + -)');
  if (f.domain !== undefined && !NAME_RE.test(f.domain)) problems.push('domain must be a domain name (letters, digits, _ . + -)');
  if (f.network !== undefined && !NAME_RE.test(f.network)) problems.push('network must be a libvirt network name');
  const defineDomain = readBoolean(f.define_domain);
  if (f.define_domain !== undefined && defineDomain === undefined) problems.push('define_domain must be true or false');
  const memoryMiB = count(f.memory, 'memory', 1024, 64, 16 * 1024 * 1024, problems);
  const vcpus = count(f.vcpus, 'vcpus', 1, 1, 4096, problems);
  const domainType = (f.domain_type ?? 'auto').toLowerCase();
  if (!['auto', 'kvm', 'qemu'].includes(domainType)) problems.push('domain_type must be auto, kvm or qemu');
  if (problems.length || !m) return { problems };
  return {
    provider: {
      uri, ssh: SSH_TRANSPORTS.has((m[1] ?? '').toLowerCase()), pool, volume: f.volume, defineDomain: defineDomain ?? false,
      domain: f.domain, memoryMiB, vcpus, domainType: domainType as LibvirtProvider['domainType'], network: f.network,
    },
    problems,
  };
}

/**
 * Reads the credentials: none for a local URI (`{}` or an empty document), else
 * `{"ssh_key": "/path/to/private-key"}` (JSON, or
 * `<provider_credentials><libvirt_credentials><ssh_key>…</ssh_key></libvirt_credentials></provider_credentials>`).
 * Keys are referenced by a path on the daemon's host, never sent inline.
 */
export function readLibvirtCredentials(credentials: unknown, provider: LibvirtProvider | undefined): { credentials?: LibvirtCredentials; problems: string[] } {
  const empty = credentials === null || credentials === undefined || (typeof credentials === 'string' && credentials.trim() === '');
  const read = empty ? { fields: {} as FieldMap } : readCredentialsDocument(credentials, 'libvirt');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  // Field names only: a value may be a secret someone pasted into the wrong field.
  const unknown = Object.keys(f).filter((k) => k !== 'ssh_key');
  if (unknown.length) problems.push(`credentials: unknown field(s) ${unknown.join(', ')} (libvirt takes only ssh_key, a file path, for SSH URIs)`);
  const key = f.ssh_key;
  if (key !== undefined) {
    if (!key.startsWith('/') || /[\0\n&]/.test(key)) problems.push('credentials.ssh_key must be an absolute file path on the daemon\'s host');
    else if (provider && !provider.ssh) problems.push('credentials.ssh_key applies only to SSH URIs (qemu+ssh://, qemu+libssh://, qemu+libssh2://)');
  }
  return problems.length ? { problems } : { credentials: { sshKey: key }, problems };
}

/** The URI virsh connects with: the user's URI plus the key options (kept out of argv and logs). */
export function connectionUri(provider: LibvirtProvider, credentials: LibvirtCredentials): string {
  if (!provider.ssh) return provider.uri;
  const params = new URLSearchParams();
  // No terminal to answer prompts: fail instead of hanging on a password or host-key question.
  params.set('no_tty', '1');
  if (credentials.sshKey) params.set('keyfile', credentials.sshKey);
  return `${provider.uri}?${params.toString()}`;
}

function count(v: string | undefined, name: string, dflt: number, min: number, max: number, problems: string[]): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) { problems.push(`${name} must be a whole number from ${min} to ${max}`); return dflt; }
  return n;
}
