import type { ProviderPlugin } from '../../sdk/index.js';
import { checkRegistryProvider, deleteFromRegistry, pushToRegistry } from './registry-push.js';

/** A Docker Registry HTTP API v2 service, fed from the OCI layout the docker target writes beside its body. */
export const registryProvider: ProviderPlugin = {
  id: 'registry',
  description: 'A Docker Registry HTTP API v2 service (docker-registry/distribution, Harbor, Quay...): a reference string "host:port/repository:tag", or the object below',
  targets: ['docker'],
  requiredTools: [{ command: 'skopeo', debianPackage: 'skopeo' }],
  providerFields: [
    { name: 'registry', description: 'Registry host[:port] (a reference without a host means docker.io)' },
    { name: 'repository', description: 'Repository, e.g. team/app' },
    { name: 'tag', description: 'Tag', default: 'latest' },
    { name: 'tls_verify', description: 'Use HTTPS and verify the certificate (default true; false for loopback registries, which then use plain HTTP)' },
  ],
  credentialFields: [
    { name: 'username', description: 'Registry user (empty credentials {} for an open registry)' },
    { name: 'password', description: 'Password or token' },
  ],
  check: (_t, provider, credentials) => checkRegistryProvider(provider, credentials),
  push: pushToRegistry,
  delete: deleteFromRegistry,
};
