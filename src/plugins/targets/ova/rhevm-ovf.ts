import { el, text, XML_HEADER } from './xml.js';

export interface RhevmOvf {
  name: string;
  description: string;
  cpus: number;
  memoryMb: number;
  displayType: string;
  osDescriptor: string;
  imageUuid: string;
  volumeUuid: string;
  templateUuid: string;
  /** Bytes of the volume file and the disk's virtual size. */
  fileSize: number;
  virtualSize: number;
  qcow2: boolean;
  created: Date;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function rhevDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** RHEV export-domain template OVF (ovf:version 0.9, as RHEV-M 3.x imports it). */
export function rhevmOvfDescriptor(r: RhevmOvf): string {
  const href = `${r.imageUuid}/${r.volumeUuid}`;
  const gib = String(Math.ceil(r.virtualSize / 1024 ** 3));
  const date = rhevDate(r.created);
  const rasd = (k: string, v: string | number) => el(`rasd:${k}`, {}, text(v));
  return XML_HEADER + el('ovf:Envelope', {
    'xmlns:ovf': 'http://schemas.dmtf.org/ovf/envelope/1/',
    'xmlns:rasd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData',
    'xmlns:vssd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'ovf:version': '0.9',
  },
  el('References', {}, el('File', { 'ovf:href': href, 'ovf:id': r.volumeUuid, 'ovf:size': r.fileSize, 'ovf:description': r.name })),
  el('Section', { 'xsi:type': 'ovf:NetworkSection_Type' }, el('Info', {}, text('List of Networks'))),
  el('Section', { 'xsi:type': 'ovf:DiskSection_Type' },
    el('Disk', {
      'ovf:diskId': r.volumeUuid, 'ovf:size': gib, 'ovf:actual_size': gib, 'ovf:vm_snapshot_id': ZERO_UUID,
      'ovf:fileRef': href, 'ovf:parentRef': '', 'ovf:format': 'http://www.vmware.com/specifications/vmdk.html#sparse',
      'ovf:volume-format': r.qcow2 ? 'COW' : 'RAW', 'ovf:volume-type': r.qcow2 ? 'Sparse' : 'Preallocated',
      'ovf:disk-interface': 'VirtIO', 'ovf:disk-type': 'System', 'ovf:boot': 'true', 'ovf:wipe-after-delete': 'false',
    })),
  el('Content', { 'xsi:type': 'ovf:VirtualSystem_Type', 'ovf:id': 'out' },
    el('Name', {}, text(r.name)),
    el('TemplateId', {}, text(r.templateUuid)),
    el('Description', {}, text(r.description)),
    el('Domain', {}),
    el('CreationDate', {}, text(date)),
    el('TimeZone', {}),
    el('IsAutoSuspend', {}, text('false')),
    el('VmType', {}, text('1')),
    el('default_display_type', {}, text(r.displayType)),
    el('default_boot_sequence', {}, text('1')),
    el('Section', { 'xsi:type': 'ovf:OperatingSystemSection_Type', 'ovf:id': r.templateUuid, 'ovf:required': 'false' },
      el('Info', {}, text('Guest OS')), el('Description', {}, text(r.osDescriptor))),
    el('Section', { 'xsi:type': 'ovf:VirtualHardwareSection_Type' },
      el('Info', {}, text(`${r.cpus} CPU, ${r.memoryMb} Memory`)),
      el('System', {}, el('vssd:VirtualSystemType', {}, text('RHEVM 4.6.0.163'))),
      el('Item', {}, rasd('Caption', `${r.cpus} virtual CPU`), rasd('Description', 'Number of virtual CPU'), rasd('InstanceId', 1),
        rasd('ResourceType', 3), rasd('num_of_sockets', 1), rasd('cpu_per_socket', r.cpus)),
      el('Item', {}, rasd('Caption', `${r.memoryMb} MB of memory`), rasd('Description', 'Memory Size'), rasd('InstanceId', 2),
        rasd('ResourceType', 4), rasd('AllocationUnits', 'MegaBytes'), rasd('VirtualQuantity', r.memoryMb)),
      el('Item', {}, rasd('Caption', 'Drive 1'), rasd('InstanceId', r.volumeUuid), rasd('ResourceType', 17), rasd('HostResource', href),
        rasd('Parent', ZERO_UUID), rasd('Template', ZERO_UUID), el('rasd:ApplicationList', {}), rasd('StorageId', ZERO_UUID),
        rasd('StoragePoolId', ZERO_UUID), rasd('CreationDate', date), rasd('LastModified', date)),
      el('Item', {}, rasd('Caption', 'Ethernet 0 rhevm'), rasd('InstanceId', 3), rasd('ResourceType', 10), rasd('ResourceSubType', 3),
        rasd('Connection', 'rhevm'), rasd('Name', 'eth0'), rasd('speed', 1000)),
      el('Item', {}, rasd('Caption', 'Graphics'), rasd('InstanceId', 5), rasd('ResourceType', 20), rasd('VirtualQuantity', 1))))) + '\n';
}

/** The volume's `.meta` file RHEV's export domain keeps next to each volume. */
export function rhevmVolumeMeta(r: RhevmOvf): string {
  const sectors = Math.ceil(r.virtualSize / 512);
  return [
    'DOMAIN=' + ZERO_UUID, `VOLTYPE=LEAF`, `CTIME=${Math.floor(r.created.getTime() / 1000)}`,
    `FORMAT=${r.qcow2 ? 'COW' : 'RAW'}`, 'IMAGE=' + r.imageUuid, 'DISKTYPE=1', 'PUUID=' + ZERO_UUID, 'LEGALITY=LEGAL',
    `MTIME=${Math.floor(r.created.getTime() / 1000)}`, 'POOL_UUID=', `SIZE=${sectors}`,
    `TYPE=${r.qcow2 ? 'SPARSE' : 'PREALLOCATED'}`, `DESCRIPTION=${r.name.replace(/\n/g, ' ')}`, 'EOF', '',
  ].join('\n');
}
