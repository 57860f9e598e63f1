import type { ProviderPlugin } from '../sdk/index.js';
import { glanceProvider } from './glance/glance-plugin.js';
import { libvirtProvider } from './libvirt/libvirt-plugin.js';
import { ovirtProvider } from './ovirt/ovirt-plugin.js';
import { registryProvider } from './registry/registry-plugin.js';

/**
 * Every provider plugin of the product, in registration order: for each target, the first plugin
 * that names it is its default provider; plugins taking any target ('*') come after those.
 */
export const providerPlugins: ProviderPlugin[] = [glanceProvider, registryProvider, ovirtProvider, libvirtProvider];
