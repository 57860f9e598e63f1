import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../domain/errors.js';
import { parseXmlTree } from '../../../domain/template/xml-tree.js';
import { runTool } from '../../../platform/exec.js';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { qcow2VirtualSize } from '../shared/virtual-size.js';
import { domainXml, METADATA_NS } from './domain-xml.js';
import { connectionUri, readLibvirtCredentials, readLibvirtProvider, type LibvirtCredentials, type LibvirtProvider } from './libvirt-provider.js';
import { Virsh } from './virsh.js';

/** Problems with a libvirt provider and its credentials, for the POST (never quoting a value). */
export function checkLibvirtProvider(provider: unknown, credentials: unknown): string[] {
  const p = readLibvirtProvider(provider);
  return [...p.problems, ...readLibvirtCredentials(credentials, p.provider).problems];
}

function readOrThrow(provider: unknown, credentials: unknown, parameters: Record<string, unknown> = {}): { provider: LibvirtProvider; credentials: LibvirtCredentials } {
  const p = readLibvirtProvider(provider, parameters);
  const c = readLibvirtCredentials(credentials, p.provider);
  if (!p.provider || !c.credentials) throw new AppError('REQUEST_INVALID', `provider: ${[...p.problems, ...c.problems].join('; ')}`);
  return { provider: p.provider, credentials: c.credentials };
}

function secretsOf(c: LibvirtCredentials): string[] {
  return c.sshKey ? [c.sshKey] : [];
}

/**
 * Uploads the target image into a new volume of a storage pool (vol-create-as with the image's
 * format and virtual size, then `vol-upload --sparse`, which skips the holes of the file), and
 * optionally defines — never starts — a domain booting from it. The identifier is the volume key.
 * A failed push removes the volume (and domain) it made.
 */
export async function pushToLibvirt(ctx: PushContext): Promise<PushResult> {
  const { provider, credentials } = readOrThrow(ctx.provider, ctx.credentials, ctx.parameters);
  const format = ctx.targetImage.format;
  if (format !== 'qcow2' && format !== 'raw') {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} has format ${format ?? 'unknown'}; libvirt volumes are pushed from qcow2 or raw images`);
  }
  const secrets = secretsOf(credentials);
  const uri = connectionUri(provider, credentials);
  const virsh = new Virsh(ctx.exec, uri, secrets, ctx.log);
  // Cleanup must run even after a cancel has aborted the push's own exec.
  const cleanup = new Virsh((argv, o) => runTool(argv, o), uri, secrets, ctx.log);
  const body = ctx.targetImage.bodyPath;
  const file = await stat(body);
  const capacity = format === 'qcow2' ? await qcow2VirtualSize(ctx.exec, body) : file.size;
  const volume = provider.volume ?? `imagefactory-${ctx.targetImage.id}.${format === 'qcow2' ? 'qcow2' : 'img'}`;
  const pool = provider.pool;

  ctx.progress(2, `Connecting to ${provider.uri}, pool ${pool}`);
  // A missing pool fails here with libvirt's "Storage pool not found"; a missing volume is the answer we want.
  if (await virsh.runIfExists(['vol-key', '--pool', pool, volume]) !== null) {
    throw new AppError('PROVIDER_FAILED', `libvirt: volume ${volume} already exists in pool ${pool}; name another one with the provider's "volume" field, or delete it first`);
  }
  const domainName = provider.domain ?? volume.replace(/\.(qcow2|img|raw)$/, '');
  if (provider.defineDomain && await virsh.runIfExists(['domuuid', domainName]) !== null) {
    throw new AppError('PROVIDER_FAILED', `libvirt: a domain named ${domainName} already exists; name another one with the provider's "domain" field`);
  }

  // Holes in the file (sparse raw disks) are skipped by vol-upload --sparse into a volume allocated on
  // write; a dense file gains nothing from the hole checks, so it goes as plain virsh would send it.
  const sparse = file.blocks * 512 < file.size * 0.9;
  await virsh.run(['vol-create-as', pool, volume, String(capacity), '--format', format, ...(format === 'raw' && sparse ? ['--allocation', '0'] : [])], { logCommand: true });
  let domainDefined = false;
  try {
    ctx.log(`Created volume ${volume} (${format}, capacity ${formatBytes(capacity)}) in pool ${pool}`);
    await uploadWithProgress(ctx, virsh, pool, volume, body, file.blocks * 512, sparse);
    const info = await volumeXml(virsh, pool, volume);
    const key = info.key;
    if (info.capacity !== capacity) throw new AppError('PROVIDER_FAILED', `libvirt: volume ${volume} has capacity ${info.capacity} after the upload; the image's is ${capacity}`);
    ctx.log(`Uploaded ${formatBytes(file.size)} (${formatBytes(file.blocks * 512)} allocated) into ${volume} (key ${key}); the volume now allocates ${formatBytes(info.allocation)}`);

    const properties: Record<string, unknown> = {
      libvirt_uri: provider.uri, pool, volume, volume_key: key, format, capacity, allocation: info.allocation,
    };
    if (provider.defineDomain) {
      const arch = libvirtArch(ctx.targetImage.template?.os?.arch);
      const type = provider.domainType === 'auto' ? await domainTypeFor(virsh, arch) : provider.domainType;
      const xmlPath = join(ctx.workDir, 'domain.xml');
      await writeFile(xmlPath, domainXml({
        type, name: domainName, memoryMiB: provider.memoryMiB, vcpus: provider.vcpus, arch, pool, volume, format,
        volumeKey: key, targetImageId: ctx.targetImage.id, network: provider.network,
      }));
      ctx.progress(97, `Defining domain ${domainName}`);
      await virsh.run(['define', xmlPath], { logCommand: true });
      domainDefined = true;
      const uuid = (await virsh.run(['domuuid', domainName])).trim();
      ctx.log(`Defined domain ${domainName} (type ${type}, ${provider.memoryMiB} MiB, ${provider.vcpus} vCPU, uuid ${uuid}); not started`);
      Object.assign(properties, { domain: domainName, domain_uuid: uuid, domain_type: type });
    }
    ctx.progress(100, `Volume ${volume} is in pool ${pool}`);
    return { identifierOnProvider: key, providerAccountIdentifier: null, properties };
  } catch (e) {
    if (domainDefined) await cleanup.runIfExists(['undefine', domainName]).catch(() => undefined);
    await cleanup.runIfExists(['vol-delete', '--pool', pool, volume], { logCommand: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * DELETE: undefines the domains Image Factory defined for this volume (found by their metadata,
 * so the provider document need not repeat the domain name), then deletes the volume. A volume or
 * domain already gone counts as deleted; a running domain is left alone and fails the delete.
 */
export async function deleteFromLibvirt(ctx: DeleteFromProviderContext): Promise<void> {
  const { provider, credentials } = readOrThrow(ctx.provider, ctx.credentials);
  const virsh = new Virsh(ctx.exec, connectionUri(provider, credentials), secretsOf(credentials), ctx.log);
  const key = ctx.identifierOnProvider;
  for (const name of (await virsh.run(['list', '--all', '--name'])).split('\n').map((l) => l.trim()).filter(Boolean)) {
    const meta = await virsh.run(['metadata', name, METADATA_NS], { quiet: true }).catch(() => null);
    if (!meta || metadataKey(meta) !== key) continue;
    const state = (await virsh.run(['domstate', name])).trim();
    if (state !== 'shut off') throw new AppError('PROVIDER_FAILED', `libvirt: domain ${name} uses volume ${key} and is ${state}; shut it down before deleting the provider image`);
    await virsh.run(['undefine', name], { logCommand: true });
    ctx.log(`Undefined domain ${name}`);
  }
  const deleted = await virsh.runIfExists(['vol-delete', key], { logCommand: true });
  ctx.log(deleted === null ? `libvirt has no volume ${key} any more` : `Deleted volume ${key}`);
}

function metadataKey(xml: string): string | null {
  try {
    return parseXmlTree(xml).attributes.find((a) => a.name === 'key')?.value ?? null;
  } catch {
    return null;
  }
}

/**
 * vol-upload reports nothing while it runs, so progress comes from the volume itself: its
 * allocation (vol-info) against the bytes the image allocates, polled every 2 seconds.
 */
async function uploadWithProgress(ctx: PushContext, virsh: Virsh, pool: string, volume: string, body: string, allocated: number, sparse: boolean): Promise<void> {
  ctx.progress(5, `Uploading ${formatBytes(allocated)} into ${pool}/${volume}`);
  // The watcher's sleep ends as soon as the upload does, so watching never delays the push.
  const stop = new AbortController();
  const upload = virsh.run(['vol-upload', ...(sparse ? ['--sparse'] : []), '--pool', pool, volume, body], { logCommand: true }).finally(() => stop.abort());
  const watch = (async () => {
    let last = -1;
    for (;;) {
      // Every 2 s: each look is a libvirt connection, which small uploads do not need at all.
      const slept = await sleep(2000, true, { signal: stop.signal }).catch(() => false);
      if (!slept) break;
      const info = await volumeInfo(virsh, pool, volume).catch(() => null);
      if (!info || allocated <= 0) continue;
      const pct = Math.min(95, 5 + Math.floor((Math.min(info.allocation, allocated) / allocated) * 90));
      if (pct > last) { last = pct; ctx.progress(pct, `Uploading into ${pool}/${volume}: ${formatBytes(info.allocation)} of ${formatBytes(allocated)} written`); }
    }
  })();
  await upload;
  await watch;
  ctx.progress(95, `Uploaded into ${pool}/${volume}`);
}

/** Key, capacity and allocation in one call (vol-dumpxml). */
async function volumeXml(virsh: Virsh, pool: string, volume: string): Promise<{ key: string; capacity: number; allocation: number }> {
  const root = parseXmlTree(await virsh.run(['vol-dumpxml', '--pool', pool, volume]));
  const child = (name: string) => root.children.find((c) => c.local === name)?.text.trim() ?? '';
  const bytes = (name: string) => {
    const el = root.children.find((c) => c.local === name);
    const unit = el?.attributes.find((a) => a.name === 'unit')?.value ?? 'bytes';
    if (unit !== 'bytes' && unit !== 'B') throw new AppError('PROVIDER_FAILED', `libvirt: vol-dumpxml reported ${name} in ${unit}`);
    return Number(el?.text.trim());
  };
  return { key: child('key'), capacity: bytes('capacity'), allocation: bytes('allocation') };
}

async function volumeInfo(virsh: Virsh, pool: string, volume: string): Promise<{ capacity: number; allocation: number }> {
  const out = await virsh.run(['vol-info', '--bytes', '--pool', pool, volume]);
  const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  return { capacity: field('Capacity'), allocation: field('Allocation') };
}

/** TDL arch names as libvirt names them (i386 is i686 there). */
function libvirtArch(arch: string | null | undefined): string {
  if (!arch) return 'x86_64';
  return arch === 'i386' ? 'i686' : arch;
}

/** kvm when libvirt can run KVM domains of this arch here (domcapabilities answers), else qemu (TCG). */
async function domainTypeFor(virsh: Virsh, arch: string): Promise<'kvm' | 'qemu'> {
  const kvm = await virsh.run(['domcapabilities', '--virttype', 'kvm', '--arch', arch], { quiet: true }).then(() => true, () => false);
  return kvm ? 'kvm' : 'qemu';
}
