import { readBoolean, readCredentialsDocument, readProviderDocument } from '../../sdk/provider-documents.js';

/** Where a docker target image goes: a repository and tag on a Docker Registry HTTP API v2 service. */
export interface RegistryDestination {
  /** host[:port], as the registry is addressed (and keyed in the auth file). */
  registry: string;
  repository: string;
  tag: string;
  tlsVerify: boolean;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

// The distribution reference grammar (github.com/distribution/reference), lowercase repositories.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const REGISTRY_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;
const DEFAULT_REGISTRY = 'docker.io';

/** Loopback registries are plain HTTP by default, as Docker itself treats 127.0.0.0/8. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Reads the provider: a reference string (`[docker://]host:port/team/app[:tag]`; without a registry
 * host it means Docker Hub, like `docker push`), or an object
 * `{registry, repository, tag, tls_verify}` (JSON or XML attributes).
 */
export function readRegistryDestination(provider: unknown): { destination?: RegistryDestination; problems: string[] } {
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  let registry: string; let repository: string; let tag: string;
  if (f.repository !== undefined || f.registry !== undefined) {
    registry = f.registry ?? DEFAULT_REGISTRY;
    repository = f.repository ?? '';
    tag = f.tag ?? 'latest';
  } else if (f.name !== undefined) {
    ({ registry, repository, tag } = splitReference(f.name.replace(/^docker:\/\//, '')));
  } else {
    return { problems: ['the provider needs a registry reference ("host:port/repository:tag") or {"registry", "repository", "tag"}'] };
  }
  const problems: string[] = [];
  if (!REGISTRY_RE.test(registry)) problems.push(`invalid registry host "${registry}"`);
  if (!REPOSITORY_RE.test(repository)) problems.push(`invalid repository name "${repository}" (lowercase letters, digits, separators . _ - and /)`);
  if (!TAG_RE.test(tag)) problems.push(`invalid tag "${tag}"`);
  const tlsText = f.tls_verify ?? f['tls-verify'];
  const tls = readBoolean(tlsText);
  if (tlsText !== undefined && tls === undefined) problems.push('tls_verify must be true or false');
  if (problems.length) return { problems };
  return { destination: { registry, repository, tag, tlsVerify: tls ?? !isLoopbackRegistry(registry) }, problems };
}

function splitReference(ref: string): { registry: string; repository: string; tag: string } {
  if (ref.includes('@')) return { registry: '', repository: ref, tag: '' }; // a digest cannot be pushed to: invalid below
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  const registry = hasHost ? first : DEFAULT_REGISTRY;
  let rest = hasHost ? ref.slice(slash + 1) : ref;
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  if (!hasHost && registry === DEFAULT_REGISTRY && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, tag };
}

/** Reads `{username, password}` (JSON or `<docker_credentials>` XML); empty means an open registry. */
export function readRegistryCredentials(credentials: unknown): { credentials?: RegistryCredentials | null; problems: string[] } {
  if (credentials === null || credentials === undefined || credentials === '') return { credentials: null, problems: [] };
  const read = readCredentialsDocument(credentials, 'docker');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const { username, password } = read.fields;
  if (!username && !password) return { credentials: null, problems: [] };
  if (!username || !password) return { problems: ['registry credentials need both username and password'] };
  if (username.includes(':')) return { problems: ['a registry username cannot contain ":"'] };
  return { credentials: { username, password }, problems: [] };
}

export function describeDestination(d: RegistryDestination): string {
  return `${d.registry}/${d.repository}:${d.tag}`;
}
