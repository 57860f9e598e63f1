import { open } from 'node:fs/promises';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { dataExtents, extentBytes } from '../shared/data-blocks.js';
import { providerFailure } from '../shared/provider-failure.js';
import { createGalleryImageVersion, createManagedImage, deleteImageResource, sourceBlobOf } from './arm-images.js';
import { armCredential, computeClient, imageResourceId, parseResourceId, vhdContainer } from './azure-clients.js';
import { azureSecrets, readAzureCredentials, type AzureCredentials } from './azure-credentials.js';
import { readAzureProvider, type AzureProvider } from './azure-provider.js';
import { uploadPageBlob } from './page-blob-upload.js';

/** Problems with an Azure provider document or credentials, for the POST (never quoting secrets). */
export function checkAzureProvider(provider: unknown, credentials: unknown, parameters: Record<string, unknown> = {}): string[] {
  return [...readAzureProvider(provider, parameters).problems, ...readAzureCredentials(credentials).problems];
}

function readOrThrow(provider: unknown, credentials: unknown, parameters: Record<string, unknown> = {}): { p: AzureProvider; c: AzureCredentials } {
  const p = readAzureProvider(provider, parameters);
  const c = readAzureCredentials(credentials);
  if (!p.provider || !c.credentials) throw new AppError('REQUEST_INVALID', `provider: ${[...p.problems, ...c.problems].join('; ')}`);
  return { p: p.provider, c: c.credentials };
}

/** The blob a target image is uploaded to: the same name on every attempt, so a retried push resumes it. */
export function blobNameFor(targetImageId: string): string {
  return `imagefactory-${targetImageId}.vhd`;
}

/**
 * A fixed VHD as Azure takes it: a "conectix" footer in the last 512 bytes and a virtual size that
 * is a whole number of MiB (Azure refuses others when it makes a disk from the blob).
 */
async function checkFixedVhd(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const footer = Buffer.alloc(512);
    if (size >= 512) await fh.read(footer, 0, 512, size - 512);
    if (size < 512 || footer.toString('latin1', 0, 8) !== 'conectix' || footer.readUInt32BE(60) !== 2) {
      throw new AppError('BUILD_FAILED', `${path} is not a fixed VHD (no fixed-disk footer); push an image of the azure target`);
    }
    if ((size - 512) % (1024 * 1024) !== 0) throw new AppError('BUILD_FAILED', `The VHD's virtual size ${size - 512} is not a whole number of MiB, which Azure requires`);
    return size;
  } finally {
    await fh.close();
  }
}

/**
 * Uploads the target image's fixed VHD into a page blob (non-zero pages only, in parallel,
 * resumable), then has Azure Resource Manager make a managed image of it, or a gallery image
 * version when the provider names a gallery. The service principal is checked before any byte is
 * sent. The blob is kept after a failure, so that POSTing the provider image again resumes it.
 */
export async function pushToAzure(ctx: PushContext): Promise<PushResult> {
  const { p, c } = readOrThrow(ctx.provider, ctx.credentials, ctx.parameters);
  const secrets = azureSecrets(c);
  const image = ctx.targetImage;
  const size = await checkFixedVhd(image.bodyPath);
  const imageName = p.imageName ?? `imagefactory-${image.id}`;
  const blobName = blobNameFor(image.id);

  ctx.progress(1, `Authenticating to ${p.authorityHost} with the service principal`);
  const credential = armCredential(p, c);
  try {
    // enableCae as ARM's bearer policy asks, so the token lands in the cache that policy reads.
    await credential.getToken(`${new URL(p.armEndpoint).origin}/.default`, { abortSignal: ctx.signal, enableCae: true });
  } catch (e) {
    throw cancelledOr(ctx.signal, providerFailure('Azure AD', e, secrets));
  }

  const container = vhdContainer(p, c);
  const extents = await dataExtents(ctx.exec, image.bodyPath);
  const allocated = extentBytes(extents);
  ctx.log(`Uploading ${image.bodyPath} (${formatBytes(size)}, ${formatBytes(allocated)} allocated) to page blob ${p.container}/${blobName} at ${p.blobEndpoint}, ${p.concurrency} calls at a time`);
  const progress = new ByteProgress(allocated, ctx.progress, 'Uploading page blob', { from: 3, to: 85 });
  let uploaded;
  try {
    uploaded = await uploadPageBlob({
      container, blobName, path: image.bodyPath, extents, concurrency: p.concurrency, signal: ctx.signal, log: ctx.log,
      onBytes: (n) => { progress.add(n); ctx.bytesSent?.(n); }, sasScoped: c.blob.kind === 'sas', metadata: { imagefactory_target_image: image.id },
    });
  } catch (e) {
    throw cancelledOr(ctx.signal, providerFailure('Azure Storage', storageError(e), secrets));
  }
  const blobUri = uploaded.blob.url.split('?')[0];
  ctx.log(`Page blob ${blobUri} holds the image: ${uploaded.bytesSent} bytes sent in ${uploaded.putPageCalls} Put Page calls, ${uploaded.bytesReused} bytes already there from an earlier attempt`);

  const compute = computeClient(p, credential);
  let id: string;
  try {
    if (p.gallery) {
      ctx.progress(88, `Creating gallery image version ${p.gallery.gallery}/${p.gallery.image}/${p.gallery.version}`);
      id = await createGalleryImageVersion(compute, p, blobUri, ctx.signal);
    } else {
      ctx.progress(88, `Creating managed image ${imageName} in ${p.resourceGroup} (${p.location})`);
      id = await createManagedImage(compute, p, imageName, blobUri, ctx.signal);
    }
  } catch (e) {
    ctx.log(`Azure Resource Manager refused the image; the blob ${blobUri} is kept so that a retried push does not send it again`);
    throw cancelledOr(ctx.signal, providerFailure('Azure Resource Manager', e, secrets));
  }
  id ||= imageResourceId(p, imageName);
  ctx.log(`Azure image ${id} is ready`);
  ctx.progress(100, 'Azure image created');
  return {
    identifierOnProvider: id,
    providerAccountIdentifier: p.subscriptionId,
    properties: {
      azure_location: p.location, azure_blob_uri: blobUri, azure_image_kind: p.gallery ? 'gallery_image_version' : 'managed_image',
      bytes_sent: uploaded.bytesSent, bytes_reused: uploaded.bytesReused, bytes_allocated: allocated, vhd_size: size,
    },
  };
}

/**
 * Deletes the image (or gallery image version) through ARM, then the VHD blob it was made from
 * when that blob is in the provider's container. An image ARM no longer has counts as deleted.
 */
export async function deleteFromAzure(ctx: DeleteFromProviderContext): Promise<void> {
  const { p, c } = readOrThrow(ctx.provider, ctx.credentials);
  const secrets = azureSecrets(c);
  const id = parseResourceId(ctx.identifierOnProvider);
  if (!id) throw new AppError('REQUEST_INVALID', `identifier_on_provider ${ctx.identifierOnProvider} is not an Azure image or gallery image version id`);
  const compute = computeClient({ ...p, subscriptionId: id.subscriptionId }, c);
  let blobUri: string | undefined;
  try {
    const found = await sourceBlobOf(compute, id, ctx.signal);
    if (!found) ctx.log(`Azure has no ${ctx.identifierOnProvider} any more`);
    else {
      blobUri = found.blobUri;
      await deleteImageResource(compute, id, ctx.signal);
      ctx.log(`Deleted ${ctx.identifierOnProvider}`);
    }
  } catch (e) {
    throw cancelledOr(ctx.signal, providerFailure('Azure Resource Manager', e, secrets));
  }
  const container = vhdContainer(p, c);
  const prefix = `${container.url.split('?')[0]}/`;
  if (!blobUri) return;
  if (!blobUri.startsWith(prefix)) {
    ctx.log(`The image's blob ${blobUri} is not in container ${prefix}; left in place`);
    return;
  }
  const name = decodeURIComponent(blobUri.slice(prefix.length));
  try {
    const res = await container.getPageBlobClient(name).deleteIfExists({ deleteSnapshots: 'include', abortSignal: ctx.signal });
    ctx.log(res.succeeded ? `Deleted blob ${blobUri}` : `Blob ${blobUri} was already gone`);
  } catch (e) {
    throw cancelledOr(ctx.signal, providerFailure('Azure Storage', storageError(e), secrets));
  }
}

/**
 * Storage answers HEAD requests (and some others) without a body: its error code is then only in
 * the x-ms-error-code header, which becomes the message.
 */
function storageError(e: unknown): unknown {
  const err = e as Error & { statusCode?: number; code?: string; response?: { headers?: { get(n: string): string | undefined } } };
  if (!err || typeof err !== 'object' || err.message?.trim()) return e;
  const code = err.code ?? err.response?.headers?.get('x-ms-error-code');
  return Object.assign(new Error(code ? `${code} (no details: the request had no response body)` : 'no details in the response'), { statusCode: err.statusCode, name: 'StorageError' });
}

function cancelledOr(signal: AbortSignal, e: AppError): AppError {
  return signal.aborted ? new AppError('BUILD_CANCELLED', 'The Azure push was cancelled') : e;
}
