import { AppError } from '../../../domain/errors.js';
import { vmOvfDescriptor } from '../../targets/ova/vm-ovf.js';
import { child, children, rawPart, refPart, renderPart as render, requireRef, text, textPart, type MoRef } from './soap-envelope.js';
import type { VimClient } from './vim-client.js';
import type { ServiceContent } from './vim-session.js';
import type { ImportPlacement } from './vsphere-inventory.js';
import { copyElement } from './xml-subtree.js';

/** The VM an import creates around the disk. */
export interface ImportVm {
  name: string;
  cpus: number;
  memoryMb: number;
  guestId: string;
  hardwareVersion: string;
  /** thin, thick, eagerZeroedThick… (OvfCreateImportSpecParams.diskProvisioning). */
  diskProvisioning: string;
  networkName: string;
  disk: { fileSize: number; capacity: number };
}

/** A file the lease wants, matched to its upload URL later by deviceId = the lease's importKey. */
export interface ImportFileItem {
  deviceId: string;
  path: string;
  size: number;
  create: boolean;
}

export const DISK_HREF = 'disk.vmdk';

/**
 * An OVF 1.0 descriptor for one VM with our disk (streamOptimized VMDK, LSI Logic SCSI) and one
 * VmxNet3 NIC on the provider's network: what ovftool would read from an OVA, written by the same
 * writer the ova target uses.
 */
export function importDescriptor(vm: ImportVm): string {
  return vmOvfDescriptor({
    name: vm.name, cpus: vm.cpus, memoryMb: vm.memoryMb,
    disk: { href: DISK_HREF, fileSize: vm.disk.fileSize, capacity: vm.disk.capacity },
    virtualSystemType: vm.hardwareVersion, network: vm.networkName, scsiController: 'lsilogic', nic: 'VmxNet3',
    osId: 101, vmwareOsType: vm.guestId, osDescription: 'Linux',
  });
}

/**
 * OvfManager.CreateImportSpec: vSphere turns the descriptor into a VirtualMachineImportSpec for this
 * pool and datastore (with the network mapped). Its errors (an unsupported device, a bad capacity)
 * fail the push with vSphere's own messages; warnings are logged.
 */
export async function createImportSpec(vim: VimClient, content: ServiceContent, place: ImportPlacement, vm: ImportVm, log: (l: string) => void): Promise<{ specXml: string; fileItems: ImportFileItem[] }> {
  const cisp = '<cisp>'
    + [textPart('locale', ''), textPart('deploymentOption', ''), textPart('entityName', vm.name)].map(render).join('')
    + (place.host ? render(refPart('hostSystem', place.host)) : '')
    + `<networkMapping>${render(textPart('name', vm.networkName))}${render(refPart('network', place.network))}</networkMapping>`
    + render(textPart('diskProvisioning', vm.diskProvisioning))
    + '</cisp>';
  const { response, xml } = await vim.call('CreateImportSpec', content.ovfManager, [
    textPart('ovfDescriptor', importDescriptor(vm)), refPart('resourcePool', place.pool), refPart('datastore', place.datastore), rawPart(cisp),
  ]);
  const result = child(response, 'returnval');
  const errors = children(result, 'error').map(localizedMessage);
  if (errors.length) throw new AppError('PROVIDER_FAILED', `vSphere could not import the OVF: ${errors.join('; ')}`);
  for (const w of children(result, 'warning')) log(`vSphere OVF import warning: ${localizedMessage(w)}`);
  const specXml = copyElement(xml, ['Envelope', 'Body', 'CreateImportSpecResponse', 'returnval', 'importSpec'], 'spec');
  if (!specXml) throw new AppError('PROVIDER_FAILED', 'vSphere answered CreateImportSpec without an import spec');
  const fileItems = children(result, 'fileItem').map((f) => ({
    deviceId: text(child(f, 'deviceId')) ?? '',
    path: text(child(f, 'path')) ?? '',
    size: Number(text(child(f, 'size')) ?? 0),
    create: text(child(f, 'create')) === 'true',
  }));
  return { specXml, fileItems };
}

/** ResourcePool.ImportVApp: creates the VM (in the folder) and returns the HttpNfcLease for its files. */
export async function importVApp(vim: VimClient, place: ImportPlacement, specXml: string): Promise<MoRef> {
  const { response } = await vim.call('ImportVApp', place.pool, [rawPart(specXml), refPart('folder', place.folder), ...(place.host ? [refPart('host', place.host)] : [])]);
  return requireRef(child(response, 'returnval'), 'HttpNfcLease');
}

/** A LocalizedMethodFault's text: its localizedMessage, else the fault's type. */
export function localizedMessage(n: unknown): string {
  const msg = text(child(n, 'localizedMessage'))?.trim();
  if (msg) return msg;
  const fault = child(n, 'fault');
  const type = fault?.['@_xsi:type'];
  return typeof type === 'string' ? type : 'unknown fault';
}
