import type { ProviderPlugin } from '../../sdk/index.js';
import { checkOvirtProvider, deleteFromOvirt, pushToOvirt } from './ovirt-push.js';

/** oVirt / RHV: a disk uploaded through the REST API v4 image transfer and imageio. */
export const ovirtProvider: ProviderPlugin = {
  id: 'ovirt',
  description: 'An oVirt / RHV engine: the image becomes a disk on a data storage domain, uploaded through the image transfer API (imageio). JSON or XML attributes',
  targets: ['rhevm'],
  requiredTools: [{ command: 'qemu-img', debianPackage: 'qemu-utils' }],
  providerFields: [
    { name: 'api-url', description: 'Engine REST API v4 root, e.g. https://engine.example.com/ovirt-engine/api (https://engine alone means /ovirt-engine/api)' },
    { name: 'storage_domain', description: 'Data storage domain that receives the disk' },
    { name: 'disk_name', description: 'Disk alias (default: imagefactory-<target image id>)' },
    { name: 'description', description: 'Disk description (default: names the target image)' },
    { name: 'ca_cert', description: 'PEM text of the engine CA (https://engine/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA); also used for imageio' },
    { name: 'ca_file', description: 'Path of that CA file on the daemon host' },
    { name: 'insecure', description: 'Skip TLS verification (labs only)', default: false },
    { name: 'sparse', description: 'Thin-provisioned disk; false preallocates (raw disks on block storage domains need that)', default: true },
    { name: 'template', description: 'Also make a template of this name from the disk (through a helper VM, removed afterwards with the uploaded disk: the template keeps its own copy); the provider image is then the template' },
    { name: 'cluster', description: 'Cluster of the helper VM when a template is made', default: 'Default' },
    { name: 'memory', description: 'Memory of the template in MiB', default: 1024 },
    { name: 'timeout', description: 'Seconds to wait for the disk, the transfer and its finalization', default: 1800 },
  ],
  credentialFields: [
    { name: 'username', description: 'Engine user with its profile, e.g. admin@internal' },
    { name: 'password', description: 'Password (exchanged for an OAuth SSO token; never stored)' },
  ],
  check: (_t, provider, credentials) => checkOvirtProvider(provider, credentials),
  push: pushToOvirt,
  delete: deleteFromOvirt,
};
