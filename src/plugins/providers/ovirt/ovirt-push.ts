import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AppError, isAppError } from '../../../domain/errors.js';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { qcow2VirtualSize } from '../shared/virtual-size.js';
import { providerFailure } from '../shared/provider-failure.js';
import { ImageioUploader, type ImageioOptions } from './imageio-upload.js';
import { makeTemplate } from './ovirt-template.js';
import { OvirtEngine, OvirtHttpError, ovirtDispatcher, ovirtFailure, type OvirtDisk, type OvirtTransfer } from './ovirt-engine.js';
import { readOvirtCredentials, readOvirtProvider, type OvirtCredentials, type OvirtProvider } from './ovirt-provider.js';

/** Problems with an oVirt provider and its credentials, for the POST (never quoting a secret). */
export function checkOvirtProvider(provider: unknown, credentials: unknown): string[] {
  return [...readOvirtProvider(provider).problems, ...readOvirtCredentials(credentials).problems];
}

function readOrThrow(provider: unknown, credentials: unknown): { provider: OvirtProvider; credentials: OvirtCredentials } {
  const p = readOvirtProvider(provider);
  const c = readOvirtCredentials(credentials);
  if (!p.provider || !c.credentials) throw new AppError('REQUEST_INVALID', `provider: ${[...p.problems, ...c.problems].join('; ')}`);
  return { provider: p.provider, credentials: c.credentials };
}

const FAILED_PHASES = new Set(['finished_failure', 'cancelled', 'cancelled_system', 'cancelled_user', 'finalizing_failure', 'paused_system', 'paused_user', 'unknown']);

/**
 * Uploads the target image as a new oVirt disk through the REST API v4 image transfer:
 * POST /disks (cow for qcow2 with initial_size = the file's size, raw otherwise), wait for the disk
 * to be OK, POST /imagetransfers (upload), wait for `transferring`, send the bytes to imageio
 * (transfer_url, else proxy_url), finalize and wait for `finished_success`. On failure the transfer
 * is cancelled and the disk deleted. The identifier is the disk id, or, when the provider names a
 * `template`, the id of the template made from it (see makeTemplate).
 */
export async function pushToOvirt(ctx: PushContext): Promise<PushResult> {
  const { provider, credentials } = readOrThrow(ctx.provider, ctx.credentials);
  const format = ctx.targetImage.format;
  if (format !== 'qcow2' && format !== 'raw') {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} has format ${format ?? 'unknown'}; oVirt disks are uploaded from qcow2 or raw images`);
  }
  const body = ctx.targetImage.bodyPath;
  const fileSize = (await stat(body)).size;
  const virtualSize = format === 'qcow2' ? await qcow2VirtualSize(ctx.exec, body) : fileSize;
  const dispatcher = await ovirtDispatcher(provider);
  const engine = new OvirtEngine(provider, credentials, dispatcher, ctx.signal);
  let disk: OvirtDisk | null = null;
  let transfer: OvirtTransfer | null = null;
  try {
    ctx.progress(1, `Signing in to ${provider.apiUrl}`);
    await engine.login();
    const root = await engine.json<{ authenticated_user?: { id?: string } }>('GET', '');
    const diskName = provider.diskName ?? `imagefactory-${ctx.targetImage.id}`;
    disk = await engine.json<OvirtDisk>('POST', '/disks', {
      name: diskName, alias: diskName,
      description: provider.description ?? `Image Factory target image ${ctx.targetImage.id}`,
      format: format === 'qcow2' ? 'cow' : 'raw',
      content_type: 'data',
      sparse: provider.sparse,
      provisioned_size: virtualSize,
      // The qcow2 file is uploaded as it is: the disk must start at least that large.
      ...(format === 'qcow2' ? { initial_size: fileSize } : {}),
      storage_domains: { storage_domain: [{ name: provider.storageDomain }] },
    }, [200, 201, 202]);
    ctx.log(`Created disk ${disk.id} (${diskName}, ${format === 'qcow2' ? 'cow' : 'raw'}, ${formatBytes(virtualSize)}) on storage domain ${provider.storageDomain}`);
    const deadline = Date.now() + provider.timeoutSeconds * 1000;
    await waitDiskOk(engine, disk.id, deadline, ctx);

    ctx.progress(5, 'Starting the image transfer');
    transfer = await engine.json<OvirtTransfer>('POST', '/imagetransfers', {
      disk: { id: disk.id }, direction: 'upload', format: format === 'qcow2' ? 'cow' : 'raw', inactivity_timeout: 120,
    }, [200, 201, 202]);
    transfer = await waitPhase(engine, transfer.id, ['transferring'], deadline, ctx);
    const { uploader, options, url } = await chooseImageio(transfer, dispatcher, ctx);
    ctx.log(`imageio at ${new URL(url).host}: zero ${options.zero ? 'yes' : 'no'}, flush ${options.flush ? 'yes' : 'no'}, max_writers ${options.maxWriters}`);
    const sent = await uploader.upload(ctx.exec, body, fileSize, options, (pct, activity) => ctx.progress(pct, activity), { from: 8, to: 90 });
    ctx.log(`Sent ${formatBytes(sent.bytesSent)} of data with ${sent.writers} writer(s); ${formatBytes(sent.bytesZeroed)} zeroed without sending`);

    ctx.progress(92, 'Finalizing the image transfer');
    await engine.json('POST', `/imagetransfers/${transfer.id}/finalize`, {}, [200, 201, 202, 204]);
    const final = await waitPhase(engine, transfer.id, ['finished_success'], deadline, ctx, true);
    if (final) transfer = final;
    const done = await waitDiskOk(engine, disk.id, deadline, ctx);
    transfer = null;
    const properties: Record<string, unknown> = {
      ovirt_api_url: provider.apiUrl, storage_domain: provider.storageDomain, disk_name: diskName,
      disk_format: format === 'qcow2' ? 'cow' : 'raw', provisioned_size: virtualSize, actual_size: toNumber(done.actual_size),
      bytes_sent: sent.bytesSent, bytes_zeroed: sent.bytesZeroed,
    };
    let identifier = disk.id;
    if (provider.template) {
      ctx.progress(94, `Creating template ${provider.template} in cluster ${provider.cluster}`);
      identifier = await makeTemplate(engine, ctx, {
        diskId: disk.id, name: provider.template, cluster: provider.cluster, memoryMiB: provider.memoryMiB,
        description: `Image Factory target image ${ctx.targetImage.id}`, deadline,
      });
      Object.assign(properties, { template_id: identifier, template_name: provider.template, cluster: provider.cluster });
    } else {
      properties.disk_id = disk.id;
    }
    ctx.progress(100, provider.template ? `Template ${provider.template} is OK` : `Disk ${disk.id} is OK`);
    return { identifierOnProvider: identifier, providerAccountIdentifier: root.authenticated_user?.id ?? null, properties };
  } catch (e) {
    // Cleanup is not bound to the push's signal: it must also run after a cancel.
    const cleanup = new OvirtEngine(provider, credentials, dispatcher);
    if (transfer) {
      await cleanup.json('POST', `/imagetransfers/${transfer.id}/cancel`, {}, [200, 201, 202, 204]).then(
        () => ctx.log(`Cancelled image transfer ${transfer!.id}`), () => undefined);
    }
    if (disk) await removeDiskWhenUnlocked(cleanup, disk.id, ctx).catch(() => undefined);
    throw failure(e, engine, ctx.signal);
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** DELETE /templates/ID when the push made a template (ids are UUIDs, unique across entities), else DELETE /disks/ID; gone counts as deleted. */
export async function deleteFromOvirt(ctx: DeleteFromProviderContext): Promise<void> {
  const { provider, credentials } = readOrThrow(ctx.provider, ctx.credentials);
  const dispatcher = await ovirtDispatcher(provider);
  const engine = new OvirtEngine(provider, credentials, dispatcher, ctx.signal);
  try {
    const id = encodeURIComponent(ctx.identifierOnProvider);
    if (await engine.remove(`/templates/${id}`)) {
      ctx.log(`Deleted oVirt template ${ctx.identifierOnProvider} and its disk`);
      return;
    }
    const existed = await engine.remove(`/disks/${id}`);
    ctx.log(existed ? `Deleted oVirt disk ${ctx.identifierOnProvider}` : `oVirt has no template or disk ${ctx.identifierOnProvider} any more`);
  } catch (e) {
    throw failure(e, engine, ctx.signal);
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

function failure(e: unknown, engine: OvirtEngine, signal: AbortSignal): AppError {
  if (isAppError(e) && e.code === 'BUILD_CANCELLED') return e;
  if (signal.aborted) return new AppError('BUILD_CANCELLED', 'The push to oVirt was cancelled; the transfer was cancelled and the disk removed');
  return providerFailure('oVirt', e, engine.secrets);
}

async function chooseImageio(transfer: OvirtTransfer, dispatcher: Dispatcher, ctx: PushContext): Promise<{ uploader: ImageioUploader; options: ImageioOptions; url: string }> {
  const urls = [transfer.transfer_url, transfer.proxy_url].filter((u): u is string => !!u);
  if (!urls.length) throw ovirtFailure(`image transfer ${transfer.id} is transferring but has neither transfer_url nor proxy_url`);
  let last: unknown;
  // The host's imageio (transfer_url) is the direct path; the engine's proxy serves clients that cannot reach hosts.
  for (const url of urls) {
    const uploader = new ImageioUploader(url, dispatcher, ctx.signal);
    try {
      return { uploader, options: await uploader.options(), url };
    } catch (e) {
      if (e instanceof OvirtHttpError) throw e;
      ctx.log(`imageio at ${new URL(url).host} is unreachable (${(e as Error).message}); trying the next URL`);
      last = e;
    }
  }
  throw last;
}

async function waitDiskOk(engine: OvirtEngine, id: string, deadline: number, ctx: PushContext): Promise<OvirtDisk> {
  for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
    const disk = await engine.json<OvirtDisk>('GET', `/disks/${id}`);
    if (disk.status === 'ok') return disk;
    if (disk.status === 'illegal') throw ovirtFailure(`disk ${id} became illegal`);
    if (Date.now() > deadline) throw ovirtFailure(`disk ${id} is still ${disk.status ?? 'not ready'} after the provider's timeout`);
    await sleep(delay, undefined, { signal: ctx.signal });
  }
}

/** Polls a transfer until one of `phases`; after finalize a transfer the engine already removed (404) means done. */
async function waitPhase(engine: OvirtEngine, id: string, phases: string[], deadline: number, ctx: PushContext, goneIsDone = false): Promise<OvirtTransfer> {
  for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
    let t: OvirtTransfer;
    try {
      t = await engine.json<OvirtTransfer>('GET', `/imagetransfers/${id}`);
    } catch (e) {
      if (goneIsDone && e instanceof OvirtHttpError && e.statusCode === 404) return { id };
      throw e;
    }
    if (t.phase && phases.includes(t.phase)) return t;
    if (t.phase && FAILED_PHASES.has(t.phase)) {
      throw ovirtFailure(`image transfer ${id} ended in phase ${t.phase}${goneIsDone ? ' (the engine refused the uploaded image)' : ''}`);
    }
    if (Date.now() > deadline) throw ovirtFailure(`image transfer ${id} is still ${t.phase ?? 'pending'} after the provider's timeout`);
    await sleep(delay, undefined, { signal: ctx.signal });
  }
}

/** A cancelled upload leaves the disk locked until the engine rolls back; delete it once it is not. */
async function removeDiskWhenUnlocked(engine: OvirtEngine, id: string, ctx: PushContext): Promise<void> {
  try {
    const existed = await engine.removeWhenUnlocked(`/disks/${id}`);
    ctx.log(existed ? `Deleted the half-made disk ${id}` : `The engine already removed disk ${id}`);
  } catch (e) {
    ctx.log(`Could not delete disk ${id} (${engine.scrub((e as Error).message)}); delete it in the oVirt administration portal`);
  }
}


function toNumber(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
