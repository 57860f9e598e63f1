import { AppError } from '../../../domain/errors.js';
import { moRef, text, type MoRef } from './soap-envelope.js';
import type { VimClient } from './vim-client.js';
import { findByInventoryPath, refList, retrieveProperties } from './vim-properties.js';
import type { ServiceContent } from './vim-session.js';
import type { VsphereProvider } from './vsphere-provider.js';

/** The objects an import needs, found from the provider's names. */
export interface ImportPlacement {
  datacenterPath: string;
  pool: MoRef;
  datastore: MoRef;
  network: MoRef;
  folder: MoRef;
  host?: MoRef;
}

const COMPUTE = ['ComputeResource', 'ClusterComputeResource'];
const POOLS = ['ResourcePool', 'VirtualApp'];
const NETWORKS = ['Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork'];

/**
 * Finds datacenter, resource pool, datastore, network and VM folder by inventory path
 * (SearchIndex.FindByInventoryPath, as govc's finder does for paths). Whatever is not found is a
 * PROVIDER_FAILED naming the field and the value, and what exists instead when that is short.
 */
export async function findPlacement(vim: VimClient, content: ServiceContent, p: VsphereProvider): Promise<ImportPlacement> {
  const datacenterPath = await findDatacenter(vim, content, p.datacenter);
  const find = async (field: string, path: string, types: string[], shown: string) => {
    const ref = await findByInventoryPath(vim, content, path);
    if (!ref || !types.includes(ref.type)) {
      throw new AppError('PROVIDER_FAILED', `vSphere: ${field} "${shown}" was not found in datacenter ${datacenterPath}${ref ? ` (${path} is a ${ref.type})` : ''}`);
    }
    return ref;
  };
  const datastore = await find('datastore', `${datacenterPath}/datastore/${p.datastore}`, ['Datastore'], p.datastore);
  const network = await find('network', `${datacenterPath}/network/${p.network}`, NETWORKS, p.network);
  const folder = await find('folder', p.folder ? `${datacenterPath}/vm/${p.folder}` : `${datacenterPath}/vm`, ['Folder'], p.folder ?? 'vm');
  let pool: MoRef;
  if (p.resourcePool) {
    pool = await find('resource_pool', `${datacenterPath}/host/${p.resourcePool}`, POOLS, p.resourcePool);
  } else {
    const compute = p.computeResource
      ? await find('compute_resource', `${datacenterPath}/host/${p.computeResource}`, COMPUTE, p.computeResource)
      : await onlyComputeResource(vim, content, datacenterPath);
    const props = await retrieveProperties(vim, content, compute, ['resourcePool']);
    const rp = moRef(props.get('resourcePool'));
    if (!rp) throw new AppError('PROVIDER_FAILED', `vSphere: compute resource ${compute.value} has no resource pool`);
    pool = rp;
  }
  const host = p.hostSystem ? await find('host_system', `${datacenterPath}/host/${p.hostSystem}`, ['HostSystem'], p.hostSystem) : undefined;
  return { datacenterPath, pool, datastore, network, folder, host };
}

async function findDatacenter(vim: VimClient, content: ServiceContent, name: string | undefined): Promise<string> {
  if (name) {
    const ref = await findByInventoryPath(vim, content, name);
    if (!ref || ref.type !== 'Datacenter') throw new AppError('PROVIDER_FAILED', `vSphere: datacenter "${name}" was not found`);
    return name;
  }
  const roots = refList((await retrieveProperties(vim, content, content.rootFolder, ['childEntity'])).get('childEntity'));
  const dcs = await Promise.all(roots.filter((r) => r.type === 'Datacenter').map((r) => nameOf(vim, content, r)));
  if (dcs.length !== 1) throw new AppError('PROVIDER_FAILED', `vSphere: name the datacenter in the provider (${dcs.length ? `found ${dcs.join(', ')}` : 'none at the top level'})`);
  return dcs[0];
}

async function onlyComputeResource(vim: VimClient, content: ServiceContent, datacenterPath: string): Promise<MoRef> {
  const hostFolder = await findByInventoryPath(vim, content, `${datacenterPath}/host`);
  const kids = hostFolder ? refList((await retrieveProperties(vim, content, hostFolder, ['childEntity'])).get('childEntity')) : [];
  const compute = kids.filter((k) => COMPUTE.includes(k.type));
  if (compute.length === 1) return compute[0];
  const names = await Promise.all(compute.slice(0, 10).map((c) => nameOf(vim, content, c)));
  throw new AppError('PROVIDER_FAILED', `vSphere: name compute_resource (a cluster or host) or resource_pool in the provider; datacenter ${datacenterPath} has ${names.length ? names.join(', ') : 'none'}`);
}

async function nameOf(vim: VimClient, content: ServiceContent, ref: MoRef): Promise<string> {
  return text((await retrieveProperties(vim, content, ref, ['name'])).get('name')) ?? ref.value;
}
