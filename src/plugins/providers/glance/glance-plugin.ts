import type { ProviderPlugin } from '../../sdk/index.js';
import { checkGlanceProvider, deleteFromGlance, pushToGlance } from './glance-push.js';

/** OpenStack Glance (v2 images API), authenticated through Keystone or a token. */
export const glanceProvider: ProviderPlugin = {
  id: 'glance',
  description: 'A Glance image service (XML element whose attributes carry the fields, or JSON)',
  targets: ['openstack-kvm'],
  requiredTools: [],
  providerFields: [
    { name: 'glance-host', description: 'Glance host', default: '127.0.0.1' },
    { name: 'glance-port', description: 'Glance port', default: 9292 },
    { name: 'name', description: 'Image name (default: the TDL name, or "ImageFactory created image - <id>")' },
    { name: 'container_format', description: 'Glance container format', default: 'bare' },
    { name: 'disk_format', description: 'Glance disk format (default: the target image format)' },
    { name: 'is_public', description: 'Public image' },
    { name: 'min_disk', description: 'Minimum disk (GB)' },
    { name: 'min_ram', description: 'Minimum RAM (MB)' },
  ],
  credentialFields: [
    { name: 'auth_url', description: 'Keystone URL' },
    { name: 'username', description: 'User name' },
    { name: 'password', description: 'Password' },
    { name: 'tenant', description: 'Tenant (project)' },
    { name: 'strategy', description: 'keystone (v3 password token; default with auth_url), token (pre-issued X-Auth-Token), trusted (identity headers for a Glance behind an authenticating proxy: username, tenant, roles), noauth (unauthenticated Glance)', values: ['keystone', 'token', 'trusted', 'noauth'] },
    { name: 'token', description: 'Pre-issued token' },
    { name: 'user_domain_name', description: 'Keystone user domain', default: 'Default' },
    { name: 'project_domain_name', description: 'Keystone project domain', default: 'Default' },
    { name: 'roles', description: 'Role for the trusted strategy', default: 'admin' },
  ],
  check: (_t, provider, credentials) => checkGlanceProvider(provider, credentials),
  push: pushToGlance,
  delete: deleteFromGlance,
};
