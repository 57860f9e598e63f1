import type { ProviderPlugin } from '../../sdk/index.js';
import { isLibvirtUri } from './libvirt-provider.js';
import { checkLibvirtProvider, deleteFromLibvirt, pushToLibvirt } from './libvirt-push.js';

/** A libvirt storage pool (QEMU/KVM driver, local or remote), through virsh. */
export const libvirtProvider: ProviderPlugin = {
  id: 'libvirt',
  description: 'A libvirt storage pool: the image becomes a volume, optionally with a defined (not started) domain. A plain qemu:///system or qemu+ssh://host/system string, or a document (JSON or XML attributes) with type "libvirt"',
  targets: ['openstack-kvm', 'rhevm', 'ec2'],
  requiredTools: [{ command: 'virsh', debianPackage: 'libvirt-clients' }, { command: 'qemu-img', debianPackage: 'qemu-utils' }],
  claims: isLibvirtUri,
  providerFields: [
    { name: 'type', description: 'libvirt (needed when the provider is a document, since libvirt is not the default provider of these targets)' },
    { name: 'uri', description: 'libvirt connection URI: qemu:///system, qemu:///session or qemu+ssh|libssh|libssh2|tcp|tls://[user@]host[:port]/system (no query parameters)', default: 'qemu:///system' },
    { name: 'pool', description: 'Storage pool that receives the volume (must exist and be active)', default: 'default' },
    { name: 'volume', description: 'Volume name (default: imagefactory-<target image id>.qcow2 or .img)' },
    { name: 'define_domain', description: 'Also define (never start) a domain whose disk is the volume (also a push parameter)', default: false },
    { name: 'domain', description: 'Domain name (default: the volume name without its extension)' },
    { name: 'memory', description: 'Domain memory in MiB', default: 1024 },
    { name: 'vcpus', description: 'Domain vCPUs', default: 1 },
    { name: 'domain_type', description: 'auto: kvm when libvirt reports it can run KVM guests of the arch, else qemu (TCG)', default: 'auto', values: ['auto', 'kvm', 'qemu'] },
    { name: 'network', description: 'libvirt network for one virtio NIC (default: no NIC)' },
  ],
  credentialFields: [
    { name: 'ssh_key', description: 'SSH URIs only: path of a private key file on the daemon host (passed to ssh as keyfile; the key itself is never sent). Local URIs take no credentials: send {}' },
  ],
  check: (_t, provider, credentials) => checkLibvirtProvider(provider, credentials),
  push: pushToLibvirt,
  delete: deleteFromLibvirt,
};
