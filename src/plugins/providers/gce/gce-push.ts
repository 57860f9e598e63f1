import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import type { protos } from '@google-cloud/compute';
import { AppError, isAppError } from '../../../domain/errors.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { scrub } from '../shared/provider-failure.js';
import { AccessTokens } from './access-tokens.js';
import { redactSessions, uploadArchive } from './archive-upload.js';
import { computeClients, storageClient } from './gcp-clients.js';
import { deleteImage, getImage, insertImage, type ComputeImages } from './gce-images.js';
import { readGceProvider, RESOURCE_NAME_RE, type GceProvider } from './gce-provider.js';
import { readServiceAccount, type ServiceAccount } from './service-account.js';

/** Problems with a GCE provider or service-account key, for the POST (never quoting a secret). */
export function checkGceProvider(provider: unknown, credentials: unknown): string[] {
  const p = readGceProvider(provider);
  const a = readServiceAccount(credentials);
  const problems = [...p.problems, ...a.problems];
  if (p.provider && a.account && !p.provider.project && !a.account.projectId) problems.push('project is required (in the provider, or project_id in the service-account key)');
  return problems;
}

function readOrThrow(provider: unknown, credentials: unknown): { provider: GceProvider; account: ServiceAccount; project: string } {
  const problems = checkGceProvider(provider, credentials);
  const p = readGceProvider(provider).provider;
  const a = readServiceAccount(credentials).account;
  if (problems.length || !p || !a) throw new AppError('REQUEST_INVALID', `provider: ${problems.join('; ')}`);
  return { provider: p, account: a, project: (p.project ?? a.projectId)! };
}

/** The image name when none is given: the target image id, made a valid resource name. */
export function defaultImageName(targetImageId: string): string {
  const id = targetImageId.toLowerCase().replace(/[^-a-z0-9]/g, '-');
  return RESOURCE_NAME_RE.test(id) ? id : `image-${id}`.slice(0, 63).replace(/-+$/, '');
}

/** gs://bucket/object as Compute's rawDisk.source wants it: the object's storage.googleapis.com URL. */
export function objectUrl(bucket: string, name: string): string {
  return `https://storage.googleapis.com/${bucket}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

function parseObjectUrl(source: string): { bucket: string; name: string } | null {
  const m = /^(?:https:\/\/storage\.googleapis\.com\/|gs:\/\/)([^/]+)\/(.+)$/.exec(source);
  return m ? { bucket: m[1], name: m[2].split('/').map(decodeURIComponent).join('/') } : null;
}

const IMAGE_ID_RE = /^(?:https?:\/\/[^/]+\/compute\/v1\/)?projects\/([^/]+)\/global\/images\/([^/]+)$/;

function stringParam(parameters: Record<string, unknown>, name: string): string | undefined {
  const v = parameters[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A Google API failure as the image's error: the service's own message (Cloud Storage and Compute
 * put it in `error.message` of their JSON bodies; the SDKs surface it in different places), with
 * every credential value scrubbed.
 */
export function googleFailure(service: string, e: unknown, secrets: readonly string[]): AppError {
  if (isAppError(e)) return new AppError(e.code, scrub(e.message, secrets));
  const err = e as { message?: string; code?: unknown; errors?: { message?: string; error?: { message?: string } }[]; response?: { status?: number; data?: { error?: { message?: string } } }; cause?: { message?: string; code?: string } };
  let message = err?.message ?? String(e);
  const nested = err?.errors?.[0]?.error?.message ?? err?.response?.data?.error?.message;
  if (nested && (message === 'Upload failed' || !message.includes(nested))) message = nested;
  if (err?.code === 'FILE_NO_UPLOAD' && err.errors?.[0]?.message) message += ` (${err.errors[0].message})`;
  if (err?.cause?.message && /fetch failed|request to .* failed/i.test(message)) message += `: ${err.cause.code ?? ''} ${err.cause.message}`.trimEnd();
  const status = typeof err?.code === 'number' && err.code >= 100 ? err.code : err?.response?.status;
  message = redactSessions(message);
  return new AppError('PROVIDER_FAILED', scrub(`${service}${status ? ` (HTTP ${status})` : ''}: ${message}`, secrets));
}

/**
 * Uploads the gce target image (a tar.gz holding disk.raw) to the bucket with a resumable upload,
 * then creates the Compute Engine image from it (images.insert with rawDisk.source = the object)
 * and waits for the operation. A retried push of the same target image reuses the object (same
 * name, MD5 and CRC32C) or continues its unfinished upload session, and adopts an image of the same
 * name already made from that object. identifier_on_provider = projects/P/global/images/NAME.
 */
export async function pushToGce(ctx: PushContext): Promise<PushResult> {
  const { provider, account, project } = readOrThrow(ctx.provider, ctx.credentials);
  if (ctx.targetImage.format !== 'tar.gz') {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} has format ${ctx.targetImage.format ?? 'unknown'}; Compute Engine imports a tar.gz holding disk.raw (the gce target)`);
  }
  const objectName = stringParam(ctx.parameters, 'gce_object_name') ?? provider.objectName ?? `${ctx.targetImage.id}.tar.gz`;
  const imageName = stringParam(ctx.parameters, 'gce_image_name') ?? provider.imageName ?? defaultImageName(ctx.targetImage.id);
  const family = stringParam(ctx.parameters, 'gce_image_family') ?? provider.family;
  if (!RESOURCE_NAME_RE.test(imageName)) throw new AppError('REQUEST_INVALID', `gce_image_name "${imageName}": lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`);
  if (family !== undefined && !RESOURCE_NAME_RE.test(family)) throw new AppError('REQUEST_INVALID', `gce_image_family "${family}": lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`);

  const tokens = new AccessTokens(account, ctx.signal);
  const secrets = () => [...account.secrets, ...tokens.issued()];
  let service = 'Google OAuth';
  try {
    ctx.progress(1, `Authenticating as ${account.clientEmail}`);
    await tokens.get();
    ctx.log(`Got an access token for ${account.clientEmail} from the OAuth token endpoint`);
    service = 'Cloud Storage';
    const storage = storageClient(project, tokens, provider.storageEndpoint, provider.retries);
    const uploaded = await uploadArchive(storage, {
      bucket: provider.bucket, objectName, path: ctx.targetImage.bodyPath, chunkSize: provider.chunkSize, signal: ctx.signal, log: ctx.log,
      metadata: { 'imagefactory-target-image': ctx.targetImage.id }, beforeUpload: () => tokens.get(), retries: provider.retries,
      progress: (total) => new ByteProgress(total, ctx.progress, 'Uploading to Cloud Storage', { from: 2, to: 85 }),
    });
    ctx.log(`gs://${provider.bucket}/${objectName}: ${uploaded.size} bytes, MD5 ${uploaded.md5Hash}, CRC32C ${uploaded.crc32c}${uploaded.reused ? ' (reused)' : uploaded.resumedFrom ? ` (continued from byte ${uploaded.resumedFrom})` : ''}`);

    service = 'Compute Engine';
    const source = objectUrl(provider.bucket, objectName);
    const { images, operations } = computeClients(tokens, provider.computeEndpoint);
    const compute: ComputeImages = { images, operations, signal: ctx.signal, log: ctx.log, attempts: provider.retries + 1 };
    try {
      ctx.progress(86, `Creating image ${imageName} in project ${project}`);
      let image = await getImage(compute, project, imageName);
      let adopted = false;
      if (image && image.rawDisk?.source === source && String(image.status) === 'READY') {
        ctx.log(`Image ${imageName} already exists, made from ${source}: using it`);
        adopted = true;
      } else if (image && String(image.status) === 'FAILED') {
        ctx.log(`Image ${imageName} exists but FAILED: deleting it and creating it again`);
        await deleteImage(compute, project, imageName);
        image = null;
      } else if (image) {
        throw new AppError('PROVIDER_FAILED', `Compute Engine: an image named ${imageName} already exists in project ${project} (${String(image.status)}, from ${image.rawDisk?.source ?? 'another source'}); choose another with gce_image_name, or delete it`);
      }
      if (!adopted) {
        await insertImage(compute, project, imageResource(ctx, provider, { imageName, family, source }));
        image = await getImage(compute, project, imageName);
      }
      if (!image || String(image.status) !== 'READY') {
        throw new AppError('PROVIDER_FAILED', `Compute Engine: image ${imageName} is ${image ? String(image.status) : 'missing'} after images.insert completed`);
      }
      ctx.log(`Image projects/${project}/global/images/${imageName} is READY (${image.diskSizeGb} GB disk, ${image.archiveSizeBytes} archive bytes)`);
      ctx.progress(100, 'Compute Engine image ready');
      return {
        identifierOnProvider: `projects/${project}/global/images/${imageName}`,
        providerAccountIdentifier: account.clientEmail,
        properties: {
          gce_project: project, gce_image_name: imageName, gce_image_self_link: image.selfLink, gce_image_id: String(image.id),
          ...(family ? { gce_image_family: family } : {}), gce_bucket: provider.bucket, gce_object_name: objectName, gce_object_md5: uploaded.md5Hash,
          gce_object_crc32c: uploaded.crc32c, gce_object_reused: uploaded.reused, gce_image_reused: adopted,
        },
      };
    } finally {
      await Promise.all([images.close(), operations.close()]).catch(() => undefined);
    }
  } catch (e) {
    throw googleFailure(service, e, secrets());
  }
}

function imageResource(ctx: PushContext, p: GceProvider, n: { imageName: string; family?: string; source: string }): protos.google.cloud.compute.v1.IImage {
  const arch = p.architecture ?? ({ x86_64: 'X86_64', aarch64: 'ARM64' } as Record<string, 'X86_64' | 'ARM64'>)[ctx.targetImage.template?.os.arch ?? ''];
  const templateName = ctx.targetImage.template?.name;
  return {
    name: n.imageName,
    ...(n.family ? { family: n.family } : {}),
    description: p.description ?? `Image Factory image from target image ${ctx.targetImage.id}${templateName ? ` (${templateName})` : ''}`,
    labels: { ...p.labels, 'imagefactory-target-image': ctx.targetImage.id.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63) },
    rawDisk: { source: n.source, containerType: 'TAR' },
    ...(p.guestOsFeatures.length ? { guestOsFeatures: p.guestOsFeatures.map((type) => ({ type })) } : {}),
    ...(p.licenses.length ? { licenses: p.licenses } : {}),
    ...(p.storageLocations.length ? { storageLocations: p.storageLocations } : {}),
    ...(arch ? { architecture: arch } : {}),
  };
}

/**
 * Deletes the image (waiting on the operation), then the archive object it was made from. An image
 * or object that no longer exists counts as deleted.
 */
export async function deleteFromGce(ctx: DeleteFromProviderContext): Promise<void> {
  const m = IMAGE_ID_RE.exec(ctx.identifierOnProvider);
  if (!m) throw new AppError('REQUEST_INVALID', `"${ctx.identifierOnProvider}" is not a Compute Engine image (projects/P/global/images/NAME)`);
  const [, project, imageName] = m;
  const read = readGceProvider(ctx.provider);
  const a = readServiceAccount(ctx.credentials);
  if (!a.account) throw new AppError('REQUEST_INVALID', `credentials: ${a.problems.join('; ')}`);
  const account = a.account;
  const tokens = new AccessTokens(account, ctx.signal);
  let service = 'Google OAuth';
  try {
    await tokens.get();
    service = 'Compute Engine';
    const { images, operations } = computeClients(tokens, read.provider?.computeEndpoint);
    const compute: ComputeImages = { images, operations, signal: ctx.signal, log: ctx.log, attempts: (read.provider?.retries ?? 6) + 1 };
    let source: string | null | undefined = null;
    try {
      const image = await getImage(compute, project, imageName);
      if (!image) ctx.log(`Compute Engine has no image projects/${project}/global/images/${imageName} any more`);
      else {
        source = image.rawDisk?.source;
        await deleteImage(compute, project, imageName);
        ctx.log(`Deleted image projects/${project}/global/images/${imageName}`);
      }
    } finally {
      await Promise.all([images.close(), operations.close()]).catch(() => undefined);
    }
    const object = source ? parseObjectUrl(source) : null;
    if (object) {
      service = 'Cloud Storage';
      const storage = storageClient(project, tokens, read.provider?.storageEndpoint, read.provider?.retries);
      const [res] = await storage.bucket(object.bucket).file(object.name).delete({ ignoreNotFound: true });
      ctx.log(`${(res as { statusCode?: number } | undefined)?.statusCode === 404 ? 'No object to delete at' : 'Deleted'} gs://${object.bucket}/${object.name}`);
    }
  } catch (e) {
    throw googleFailure(service, e, [...account.secrets, ...tokens.issued()]);
  }
}
