/** The XML namespace of the metadata element that marks domains Image Factory defined. */
export const METADATA_NS = 'urn:x-imagefactory:libvirt:1';

export interface DomainSpec {
  type: 'kvm' | 'qemu';
  name: string;
  memoryMiB: number;
  vcpus: number;
  arch: string;
  pool: string;
  volume: string;
  /** qcow2 or raw: the driver type of the disk. */
  format: string;
  volumeKey: string;
  targetImageId: string;
  network?: string;
}

/**
 * A domain for the pushed volume, defined and never started: a `<disk type='volume'>` naming the
 * pool and volume (so it follows the volume, wherever the pool keeps it), virtio disk, serial
 * console, and a metadata element recording the volume key so DELETE can find the domain again.
 */
export function domainXml(d: DomainSpec): string {
  const nic = d.network
    ? `\n    <interface type='network'>\n      <source network='${esc(d.network)}'/>\n      <model type='virtio'/>\n    </interface>`
    : '';
  return `<domain type='${d.type}'>
  <name>${esc(d.name)}</name>
  <metadata>
    <imagefactory:volume xmlns:imagefactory='${METADATA_NS}' key='${esc(d.volumeKey)}' target_image='${esc(d.targetImageId)}'/>
  </metadata>
  <memory unit='MiB'>${d.memoryMiB}</memory>
  <vcpu>${d.vcpus}</vcpu>
  <os>
    <type arch='${esc(d.arch)}'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/></features>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='${esc(d.format)}'/>
      <source pool='${esc(d.pool)}' volume='${esc(d.volume)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>${nic}
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}
