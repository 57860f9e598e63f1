import type { ProviderPlugin } from '../../sdk/index.js';
import { checkVsphereProvider, deleteFromVsphere, pushToVsphere } from './vsphere-push.js';

/** VMware vSphere (vCenter or ESXi SDK): the VMDK imported as a VM (or template) through an OVF import lease. */
export const vsphereProvider: ProviderPlugin = {
  id: 'vsphere',
  description: 'A vCenter/ESXi SDK endpoint: the disk is imported as a VM through OvfManager and an HttpNfcLease (XML attributes or JSON)',
  targets: ['vsphere'],
  requiredTools: [{ command: 'qemu-img', debianPackage: 'qemu-utils' }],
  providerFields: [
    { name: 'api-url', description: 'SDK URL, e.g. https://vcenter.example.com/sdk (a bare host gets https:// and /sdk)' },
    { name: 'datacenter', description: 'Datacenter inventory path (default: the only datacenter)' },
    { name: 'compute_resource', description: 'Cluster or host under the datacenter\'s host folder; the VM goes into its root resource pool (alias: cluster)' },
    { name: 'resource_pool', description: 'Resource pool path under the host folder, e.g. Cluster1/Resources/imports (wins over compute_resource)' },
    { name: 'host_system', description: 'ESXi host for the VM (path under the host folder, e.g. Cluster1/esx1.example.com); needed in clusters without DRS' },
    { name: 'datastore', description: 'Datastore for the VM disk' },
    { name: 'network_name', description: 'Network (port group) of the VM NIC (alias: network)', default: 'VM Network' },
    { name: 'folder', description: 'VM folder path under the datacenter\'s vm folder (default: that folder)' },
    { name: 'vm_name', description: 'VM name (default: factory-image-<provider image id>)' },
    { name: 'ca_cert', description: 'PEM CA certificate to trust for the vCenter (else the system CAs)' },
    { name: 'thumbprint', description: 'SHA-1 or SHA-256 fingerprint of the vCenter certificate to pin (replaces CA checks)' },
    { name: 'insecure', description: 'Accept any certificate (labs only)', default: false, values: ['true', 'false'] },
  ],
  credentialFields: [
    { name: 'username', description: 'vSphere user (e.g. administrator@vsphere.local)' },
    { name: 'password', description: 'vSphere password' },
  ],
  check: (_t, provider, credentials) => checkVsphereProvider(provider, credentials),
  push: pushToVsphere,
  delete: deleteFromVsphere,
};
