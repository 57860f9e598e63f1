import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, isAppError } from '../../../domain/errors.js';
import type { DeleteFromProviderContext, Exec, PushContext, PushResult } from '../../sdk/index.js';
import { readBoolean } from '../../sdk/provider-documents.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { providerFailure } from '../shared/provider-failure.js';
import { deviceUrlFor, leaseAbort, leaseComplete, leaseProgress, uploadToLease, waitForLease, type LeaseInfo } from './nfc-lease.js';
import { createImportSpec, importVApp, type ImportVm } from './ovf-import.js';
import type { MoRef } from './soap-envelope.js';
import { VimClient } from './vim-client.js';
import { login, logout, retrieveServiceContent, type ServiceContent } from './vim-session.js';
import { destroyVm, markAsTemplate, readVm } from './vm-operations.js';
import { findPlacement } from './vsphere-inventory.js';
import { readVsphereCredentials, readVsphereProvider, type VsphereCredentials, type VsphereProvider } from './vsphere-provider.js';

/** Problems with a vSphere provider document and credentials, for a 400 at POST (never quoting a secret). */
export function checkVsphereProvider(provider: unknown, credentials: unknown): string[] {
  return [...readVsphereProvider(provider).problems, ...readVsphereCredentials(credentials).problems];
}

function readOrThrow(provider: unknown, credentials: unknown): { provider: VsphereProvider; creds: VsphereCredentials } {
  const p = readVsphereProvider(provider);
  const c = readVsphereCredentials(credentials);
  if (!p.provider || !c.credentials) throw new AppError('REQUEST_INVALID', `provider: ${[...p.problems, ...c.problems].join('; ')}`);
  return { provider: p.provider, creds: c.credentials };
}

/** A logged-in session for one operation; always logged out and closed by `withSession`. */
async function withSession<T>(p: VsphereProvider, creds: VsphereCredentials, signal: AbortSignal, log: (l: string) => void, fn: (vim: VimClient, content: ServiceContent) => Promise<T>): Promise<T> {
  const vim = new VimClient(p.sdkUrl, p.tls, signal);
  try {
    const content = await retrieveServiceContent(vim);
    await login(vim, content, creds.username, creds.password);
    log(`Logged in to ${content.fullName || p.sdkUrl} (${content.apiType} API ${content.apiVersion}) at ${p.sdkUrl} as ${creds.username}`);
    try {
      return await fn(vim, content);
    } finally {
      await logout(vim.detached(), content);
    }
  } catch (e) {
    throw failure(e, creds);
  } finally {
    await vim.close();
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

function failure(e: unknown, creds: VsphereCredentials): AppError {
  if (isAppError(e) && e.code !== 'PROVIDER_FAILED') return e;
  const err = providerFailure('vSphere', e, [creds.password]);
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return new AppError('PROVIDER_FAILED', `${err.message} (trust the vCenter's certificate with ca_cert or thumbprint in the provider, or insecure=true for a lab)`);
  }
  return err;
}

/** The push's parameters (all optional). */
function readParameters(ctx: PushContext, p: VsphereProvider): Omit<ImportVm, 'disk' | 'networkName'> & { template: boolean } {
  const params = ctx.parameters;
  const str = (k: string) => { const v = params[k]; return v === undefined || v === null || v === '' ? undefined : String(v); };
  const int = (k: string, def: number, max: number) => {
    const v = str(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('REQUEST_INVALID', `parameters.${k} must be a whole number from 1 to ${max}`);
    return n;
  };
  const templateText = str('vsphere_template') ?? str('template');
  const template = readBoolean(templateText);
  if (templateText !== undefined && template === undefined) throw new AppError('REQUEST_INVALID', 'parameters.template must be true or false');
  const provisioning = str('disk_provisioning') ?? 'thin';
  if (!['thin', 'thick', 'eagerZeroedThick', 'flat', 'monolithicSparse', 'monolithicFlat', 'sparse', 'seSparse'].includes(provisioning)) {
    throw new AppError('REQUEST_INVALID', 'parameters.disk_provisioning must be thin, thick or eagerZeroedThick');
  }
  const name = str('vm_name') ?? p.vmName ?? `factory-image-${ctx.imageId}`;
  if (name.length > 80) throw new AppError('REQUEST_INVALID', 'parameters.vm_name must be at most 80 characters');
  return {
    name, template: template ?? false,
    cpus: int('cpus', 1, 768), memoryMb: int('memory_mb', 1024, 6_128_640),
    guestId: str('guest_id') ?? 'otherLinux64Guest', hardwareVersion: str('hardware_version') ?? 'vmx-10', diskProvisioning: provisioning,
  };
}

/**
 * The disk to upload: the target image itself when it is a streamOptimized VMDK (what an OVF
 * import takes), else a streamOptimized copy made in the scratch directory. Also its capacity.
 */
async function streamOptimizedDisk(ctx: PushContext): Promise<{ path: string; capacity: number; fileSize: number }> {
  const info = await qemuInfo(ctx.exec, ctx.targetImage.bodyPath);
  let path = ctx.targetImage.bodyPath;
  if (info.format !== 'vmdk' || info.createType !== 'streamOptimized') {
    path = join(ctx.workDir, 'disk.vmdk');
    ctx.log(`The target image is ${info.format}${info.createType ? ` (${info.createType})` : ''}; converting it to a streamOptimized VMDK for the OVF import`);
    const r = await ctx.exec(['qemu-img', 'convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized,adapter_type=lsilogic', ctx.targetImage.bodyPath, path]);
    if (r.code !== 0) throw new AppError('TOOL_FAILED', `qemu-img convert to a streamOptimized VMDK failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return { path, capacity: info.virtualSize, fileSize: (await stat(path)).size };
}

async function qemuInfo(exec: Exec, path: string): Promise<{ format: string; virtualSize: number; createType?: string }> {
  const r = await exec(['qemu-img', 'info', '--output=json', path], { onLine: () => undefined });
  if (r.code !== 0) throw new AppError('TOOL_FAILED', `qemu-img info ${path} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const j = JSON.parse(r.stdout) as { format: string; 'virtual-size': number; 'format-specific'?: { data?: { 'create-type'?: string } } };
  return { format: j.format, virtualSize: j['virtual-size'], createType: j['format-specific']?.data?.['create-type'] };
}

/**
 * Imports the target image's disk as a VM, the way ovftool does: CreateImportSpec on an OVF
 * descriptor written for the disk, ImportVApp → HttpNfcLease, the VMDK streamed to the lease's
 * device URL (HttpNfcLeaseProgress from bytes sent), HttpNfcLeaseComplete; optionally MarkAsTemplate.
 * On any failure the lease is aborted and the half-made VM destroyed. The id is the VM's MoRef.
 */
export async function pushToVsphere(ctx: PushContext): Promise<PushResult> {
  const { provider: p, creds } = readOrThrow(ctx.provider, ctx.credentials);
  const params = readParameters(ctx, p);
  if (ctx.targetImage.format && ctx.targetImage.format !== 'vmdk') {
    ctx.log(`Target image ${ctx.targetImage.id} is ${ctx.targetImage.format}, not vmdk: it will be converted`);
  }
  ctx.progress(1, 'Reading the disk');
  const disk = await streamOptimizedDisk(ctx);
  ctx.progress(3, `Connecting to vSphere at ${p.sdkUrl}`);
  return withSession(p, creds, ctx.signal, ctx.log, async (vim, content) => {
    const place = await findPlacement(vim, content, p);
    ctx.log(`Placement: datacenter ${place.datacenterPath}, pool ${place.pool.value}, datastore ${p.datastore} (${place.datastore.value}), network ${p.network} (${place.network.value}), folder ${place.folder.value}`);
    ctx.progress(6, 'Creating the import spec');
    const vm: ImportVm = { ...params, networkName: p.network, disk: { fileSize: disk.fileSize, capacity: disk.capacity } };
    const { specXml, fileItems } = await createImportSpec(vim, content, place, vm, ctx.log);
    if (fileItems.length !== 1) throw new AppError('PROVIDER_FAILED', `vSphere asked for ${fileItems.length} files for a one-disk OVF`);
    const lease = await importVApp(vim, place, specXml);
    ctx.log(`ImportVApp: lease ${lease.value} for VM ${params.name}`);
    let info: LeaseInfo | undefined;
    let sent = 0;
    try {
      info = await waitForLease(vim, content, lease, ctx.signal);
      const { url, sslThumbprint } = deviceUrlFor(info, fileItems[0], vim.sdkUrl);
      const progress = new ByteProgress(disk.fileSize, ctx.progress, `Uploading the VMDK to ${url.host}`, { from: 8, to: 95 });
      ctx.log(`Uploading ${disk.fileSize} bytes to the lease (${url.origin}${url.pathname})`);
      sent = await uploadToLease({ vim, content, lease, url, sslThumbprint, path: disk.path, disk: !fileItems[0].create, onBytes: (n) => { progress.add(n); ctx.bytesSent?.(n); }, signal: ctx.signal });
      await leaseProgress(vim, lease, 100);
      await leaseComplete(vim, lease);
      ctx.log(`Lease ${lease.value} complete: ${sent} bytes uploaded`);
    } catch (e) {
      await cleanUp(vim.detached(), content, lease, info?.entity, e, ctx.log);
      throw e;
    }
    const vmRef = info.entity;
    try {
      if (params.template) {
        ctx.progress(96, 'Marking the VM as a template');
        await markAsTemplate(vim, vmRef);
      }
      const facts = await readVm(vim, content, vmRef);
      if (!facts.disks.some((d) => d.capacityBytes === disk.capacity)) {
        throw new AppError('PROVIDER_FAILED', `vSphere: VM ${vmRef.value} has disks of ${facts.disks.map((d) => d.capacityBytes).join(', ') || 'no'} bytes, not one of ${disk.capacity}`);
      }
      if (params.template && !facts.template) throw new AppError('PROVIDER_FAILED', `vSphere: VM ${vmRef.value} is not a template after MarkAsTemplate`);
      ctx.log(`VM ${facts.name} (${vmRef.value}) ready${facts.template ? ' as a template' : ''}: disk ${facts.disks[0]?.fileName ?? ''}`);
      ctx.progress(100, `vSphere VM ${vmRef.value} ready`);
      return {
        identifierOnProvider: vmRef.value,
        providerAccountIdentifier: creds.username,
        properties: {
          vsphere_api_url: p.sdkUrl, vsphere_vm_name: facts.name, vsphere_datacenter: place.datacenterPath,
          vsphere_datastore: p.datastore, vsphere_template: facts.template, vsphere_disk_capacity: disk.capacity, vsphere_bytes_uploaded: sent,
        },
      };
    } catch (e) {
      await destroyVm(vim.detached(), content, vmRef, ctx.log, null).catch(() => undefined);
      throw e;
    }
  });
}

/**
 * After a failed upload: HttpNfcLeaseAbort (vSphere removes the VM it was importing), then make
 * sure the VM is gone, so a failed push leaves nothing behind. Never throws: the first error matters.
 */
async function cleanUp(vim: VimClient, content: ServiceContent, lease: MoRef, vm: MoRef | undefined, cause: unknown, log: (l: string) => void): Promise<void> {
  const reason = cause instanceof Error ? cause.message : String(cause);
  await leaseAbort(vim, lease, `imagefactory upload failed: ${reason.slice(0, 300)}`).catch(() => undefined);
  if (vm && await destroyVm(vim, content, vm, log, null).catch(() => false)) log(`Removed the half-imported VM ${vm.value}`);
}

/** Powers the VM off if needed and destroys it; a VM vSphere no longer has counts as deleted. */
export async function deleteFromVsphere(ctx: DeleteFromProviderContext): Promise<void> {
  const { provider: p, creds } = readOrThrow(ctx.provider, ctx.credentials);
  const id = ctx.identifierOnProvider.trim();
  if (!/^[A-Za-z0-9_.:-]+$/.test(id)) throw new AppError('REQUEST_INVALID', 'identifier_on_provider is not a vSphere managed object id (e.g. vm-123)');
  await withSession(p, creds, ctx.signal, ctx.log, async (vim, content) => {
    const existed = await destroyVm(vim, content, { type: 'VirtualMachine', value: id }, ctx.log, ctx.signal);
    if (!existed) ctx.log(`vSphere has no VM ${id} any more`);
  });
}
