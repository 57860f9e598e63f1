import { el, text, XML_HEADER } from './xml.js';

/** What an OVF 1.0 descriptor for one VM with one disk and one NIC needs to say. */
export interface VmOvf {
  name: string;
  cpus: number;
  memoryMb: number;
  disk: { href: string; fileSize: number; capacity: number };
  /** vmx-07 vmx-08 for vSphere, virtualbox-2.2 for VirtualBox. */
  virtualSystemType: string;
  network: string;
  scsiController: string;
  nic: string;
  /** CIM OS id (80 = RHEL 64-bit, 79 = RHEL 32-bit) and the hypervisor's own OS type. */
  osId: number;
  vmwareOsType?: string;
  osDescription?: string;
  cdrom?: boolean;
  nestedVirt?: boolean;
  product?: { name?: string; vendor?: string; version?: string };
}

const NS = {
  xmlns: 'http://schemas.dmtf.org/ovf/envelope/1',
  'xmlns:ovf': 'http://schemas.dmtf.org/ovf/envelope/1',
  'xmlns:rasd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData',
  'xmlns:vssd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData',
  'xmlns:vmw': 'http://www.vmware.com/schema/ovf',
  'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
};

const STREAM_OPTIMIZED = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

/** One RASD item; the CIM schema wants its elements in alphabetical order, so they are sorted here. */
function item(fields: Record<string, string | number>): string {
  return el('Item', {}, ...Object.keys(fields).sort().map((k) => el(`rasd:${k}`, {}, text(fields[k]))));
}

/** OVF 1.0 descriptor (vSphere: LSI Logic SCSI + E1000; VirtualBox reads the same shape). */
export function vmOvfDescriptor(v: VmOvf): string {
  const items = [
    item({ AllocationUnits: 'hertz * 10^6', Description: 'Number of Virtual CPUs', ElementName: `${v.cpus} virtual CPU(s)`, InstanceID: 1, ResourceType: 3, VirtualQuantity: v.cpus }),
    item({ AllocationUnits: 'byte * 2^20', Description: 'Memory Size', ElementName: `${v.memoryMb}MB of memory`, InstanceID: 2, ResourceType: 4, VirtualQuantity: v.memoryMb }),
    item({ Address: 0, Description: 'SCSI Controller', ElementName: 'SCSI Controller 0', InstanceID: 3, ResourceSubType: v.scsiController, ResourceType: 6 }),
    item({ Address: 0, Description: 'IDE Controller', ElementName: 'IDE 0', InstanceID: 4, ResourceType: 5 }),
    item({ AddressOnParent: 0, ElementName: 'Hard Disk 1', HostResource: 'ovf:/disk/vmdisk1', InstanceID: 5, Parent: 3, ResourceType: 17 }),
    ...(v.cdrom ? [item({ AddressOnParent: 0, ElementName: 'CD/DVD Drive 1', InstanceID: 6, Parent: 4, ResourceType: 15 })] : []),
    item({ AddressOnParent: 7, AutomaticAllocation: 'true', Connection: v.network, Description: `${v.nic} ethernet adapter on "${v.network}"`, ElementName: 'Network adapter 1', InstanceID: 7, ResourceSubType: v.nic, ResourceType: 10 }),
  ];
  const hardware = el('VirtualHardwareSection', {},
    el('Info', {}, text('Virtual hardware requirements')),
    el('System', {},
      el('vssd:ElementName', {}, text('Virtual Hardware Family')),
      el('vssd:InstanceID', {}, text(0)),
      el('vssd:VirtualSystemIdentifier', {}, text(v.name)),
      el('vssd:VirtualSystemType', {}, text(v.virtualSystemType))),
    ...items,
    ...(v.nestedVirt ? [el('vmw:Config', { 'ovf:required': 'false', 'vmw:key': 'nestedHVEnabled', 'vmw:value': 'true' })] : []));
  const product = v.product && (v.product.name || v.product.vendor || v.product.version)
    ? [el('ProductSection', {}, el('Info', {}, text('Information about the installed software')),
      ...(v.product.name ? [el('Product', {}, text(v.product.name))] : []),
      ...(v.product.vendor ? [el('Vendor', {}, text(v.product.vendor))] : []),
      ...(v.product.version ? [el('Version', {}, text(v.product.version))] : []))]
    : [];
  return XML_HEADER + el('Envelope', NS,
    el('References', {}, el('File', { 'ovf:href': v.disk.href, 'ovf:id': 'file1', 'ovf:size': v.disk.fileSize })),
    el('DiskSection', {}, el('Info', {}, text('Virtual disk information')),
      el('Disk', { 'ovf:capacity': v.disk.capacity, 'ovf:capacityAllocationUnits': 'byte', 'ovf:diskId': 'vmdisk1', 'ovf:fileRef': 'file1', 'ovf:format': STREAM_OPTIMIZED })),
    el('NetworkSection', {}, el('Info', {}, text('The list of logical networks')),
      el('Network', { 'ovf:name': v.network }, el('Description', {}, text(`The ${v.network} network`)))),
    el('VirtualSystem', { 'ovf:id': v.name },
      el('Info', {}, text('A virtual machine')),
      el('Name', {}, text(v.name)),
      el('OperatingSystemSection', { 'ovf:id': v.osId, 'vmw:osType': v.vmwareOsType },
        el('Info', {}, text('The kind of installed guest operating system')),
        ...(v.osDescription ? [el('Description', {}, text(v.osDescription))] : [])),
      hardware,
      ...product)) + '\n';
}
