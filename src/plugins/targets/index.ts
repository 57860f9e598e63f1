import type { TargetPlugin } from '../sdk/index.js';
import { ec2Plugin } from './ec2/ec2-plugin.js';
import { openstackPlugin } from './openstack-kvm/openstack-plugin.js';
import { rhevmPlugin } from './rhevm/rhevm-plugin.js';
import { vspherePlugin } from './vsphere/vsphere-plugin.js';
import { hypervPlugin } from './hyperv/hyperv-plugin.js';
import { gcePlugin } from './gce/gce-plugin.js';
import { dockerPlugin } from './docker/docker-plugin.js';
import { ovaPlugin } from './ova/ova-plugin.js';
import { azurePlugin } from './azure/azure-plugin.js';
import { virtualboxPlugin } from './virtualbox/virtualbox-plugin.js';

/** Every cloud plugin of the product, in registration order (the first plugin naming a target wins). */
export const targetPlugins: TargetPlugin[] = [
  ec2Plugin, openstackPlugin, rhevmPlugin, vspherePlugin, hypervPlugin, gcePlugin, dockerPlugin, ovaPlugin, azurePlugin, virtualboxPlugin,
];

export {
  ec2Plugin, openstackPlugin, rhevmPlugin, vspherePlugin, hypervPlugin, gcePlugin, dockerPlugin, ovaPlugin, azurePlugin, virtualboxPlugin,
};
