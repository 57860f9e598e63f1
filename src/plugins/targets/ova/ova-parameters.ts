import type { ParameterSpec } from '../../sdk/index.js';
import { boolParam, stringParam } from '../shared/parameters.js';

export const OVA_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'rhevm_ova_format', description: 'Package for an rhevm target image', default: 'rhevm', values: ['rhevm', 'vagrant-libvirt'] },
  { name: 'vsphere_ova_format', description: 'Package for a vsphere target image', default: 'vsphere', values: ['vsphere', 'vagrant-virtualbox', 'vagrant-vmware-fusion'] },
  { name: 'hyperv_ova_format', description: 'Package for a hyperv target image', default: 'hyperv', values: ['hyperv', 'hyperv-vagrant'] },
  { name: 'ovf_name', description: 'Virtual machine name (default: the TDL name)' },
  { name: 'ovf_cpu_count', description: 'Virtual CPUs', default: '1' },
  { name: 'ovf_memory_mb', description: 'Memory (MiB)', default: '1024' },
  { name: 'rhevm_default_display_type', description: 'RHEV display: 0 = VNC, 1 = SPICE', default: '0', values: ['0', '1'] },
  { name: 'rhevm_description', description: 'RHEV template description', default: 'Created by Image Factory' },
  { name: 'rhevm_os_descriptor', description: 'RHEV OS type (Other, OtherLinux, RHEL6...)', default: 'OtherLinux' },
  { name: 'vsphere_product_name', description: 'OVF ProductSection product' },
  { name: 'vsphere_product_vendor_name', description: 'OVF ProductSection vendor' },
  { name: 'vsphere_product_version', description: 'OVF ProductSection version' },
  { name: 'vsphere_virtual_system_type', description: 'Virtual hardware family', default: 'vmx-07 vmx-08' },
  { name: 'vsphere_scsi_controller_type', description: 'SCSI controller', default: 'lsilogic' },
  { name: 'vsphere_network_controller_type', description: 'Network adapter', default: 'E1000' },
  { name: 'vsphere_nested_virt', description: 'Expose hardware virtualization to the guest', default: false, values: ['true', 'false'] },
  { name: 'vsphere_cdrom', description: 'Add an IDE CD-ROM drive', default: false, values: ['true', 'false'] },
  { name: 'vsphere_os_type', description: 'vSphere guest OS id', default: 'rhel6_64Guest' },
  { name: 'fusion_scsi_controller_type', description: 'VMware Fusion SCSI controller', default: 'lsilogic' },
  { name: 'fusion_network_controller_type', description: 'VMware Fusion network adapter', default: 'e1000' },
  { name: 'fusion_nested_virt', description: 'VMware Fusion nested virtualization', default: false, values: ['true', 'false'] },
  { name: 'vagrant_sync_directory', description: 'Guest directory of the Vagrant synced folder', default: '/vagrant' },
];

export interface OvaSettings {
  name: string;
  cpus: number;
  memoryMb: number;
  p: (name: string) => string | undefined;
  flag: (name: string) => boolean;
}

export function ovaSettings(params: Record<string, unknown>, fallbackName: string): OvaSettings {
  return {
    name: stringParam(params, 'ovf_name') ?? fallbackName,
    cpus: Number(stringParam(params, 'ovf_cpu_count') ?? 1),
    memoryMb: Number(stringParam(params, 'ovf_memory_mb') ?? 1024),
    p: (name) => stringParam(params, name) ?? (OVA_PARAMETERS.find((s) => s.name === name)?.default as string | undefined),
    flag: (name) => boolParam(params, name, false),
  };
}
