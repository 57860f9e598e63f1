import type { ProviderPlugin } from '../sdk/index.js';
import { azureProvider } from './azure/azure-plugin.js';
import { ec2Provider } from './ec2/ec2-plugin.js';
import { gceProvider } from './gce/gce-plugin.js';
import { glanceProvider } from './glance/glance-plugin.js';
import { libvirtProvider } from './libvirt/libvirt-plugin.js';
import { ovirtProvider } from './ovirt/ovirt-plugin.js';
import { registryProvider } from './registry/registry-plugin.js';
import { s3Provider } from './s3/s3-plugin.js';
import { vsphereProvider } from './vsphere/vsphere-plugin.js';

/**
 * Every provider plugin of the product, in registration order: for each target, the first plugin
 * that names it is its default provider; plugins taking any target ('*') come after those.
 */
export const providerPlugins: ProviderPlugin[] = [glanceProvider, registryProvider, ec2Provider, azureProvider, gceProvider, vsphereProvider, ovirtProvider, libvirtProvider, s3Provider];
