import { AppError } from '../../domain/errors.js';
import { IMAGE_CLASS, type ImageKind, type ImageRecord } from '../../domain/image.js';
import type { BuildScheduler } from '../ports/build-scheduler.js';
import type { StatusWriter } from '../builds/status-writer.js';
import { parseProvider } from '../builds/provider-image-build.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { CredentialStore } from '../ports/credential-store.js';
import type { ImageStore } from '../ports/image-store.js';
import type { Logger } from '../ports/logger.js';
import type { PluginCatalog } from '../ports/plugin-catalog.js';
import { resolveCredentials } from './create-images.js';
import { makeDeleteContext } from './delete-context.js';

export interface DeleteImageDeps {
  store: ImageStore;
  artifacts: ArtifactStore;
  plugins: PluginCatalog;
  engine: BuildScheduler;
  status: StatusWriter;
  logger: Logger;
  credentials: CredentialStore;
  execFactory: Parameters<typeof makeDeleteContext>[0];
}

export interface DeleteRequest {
  provider?: unknown;
  credentials?: unknown;
  target?: unknown;
  parameters?: Record<string, unknown>;
}

/**
 * Checks a DELETE and starts it in the background (the API answers 204 at once). A running build is
 * cancelled and its processes killed first. DELETING → DELETED (record and files gone) | DELETEFAILED.
 */
export async function deleteImage(deps: DeleteImageDeps, kind: ImageKind, id: string, req: DeleteRequest): Promise<void> {
  const image = await deps.store.get(id);
  if (!image || image.kind !== kind) throw new AppError('IMAGE_NOT_FOUND', `No ${IMAGE_CLASS[kind]} found with id: ${id}`);
  if (kind === 'provider_image') {
    // An image pushed with a credential set deletes with the same set unless the request names others.
    const required = image.credentialsRef ? (['target', 'provider'] as const) : (['credentials', 'target', 'provider'] as const);
    const missing = required.filter((k) => req[k] === undefined || req[k] === '');
    if (missing.length) throw new AppError('REQUEST_INVALID', `Missing required values: ${missing.join(', ')}`);
    const given = req.credentials !== undefined && req.credentials !== '';
    req = { ...req, credentials: resolveCredentials(given ? req.credentials : { ref: image.credentialsRef }, deps.credentials).credentials };
  }
  if (image.status === 'DELETING') return;
  await refuseWithChildren(deps.store, image);
  const callbacks = req.parameters?.callbacks ?? req.parameters?.callback_url;
  const parameters = callbacks !== undefined ? { ...image.parameters, callbacks } : image.parameters;
  // DELETING before the 204: from here on no new image can be built from this one.
  await deps.status.transition(image.id, 'DELETING', { activity: 'Deleting image' }, { parameters });
  void runDelete(deps, image, req).catch((e) => deps.logger.error({ err: e, imageId: id }, 'delete bookkeeping failed'));
}

/**
 * Images built from this one (targets of a base, OVA targets and provider images of a target) would
 * lose their template, name and operating system with it, and a provider image's record is the only
 * handle on the copy in the cloud. So, like `docker rmi` of an image with dependent children, the
 * delete is refused (409) with the list; the client deletes the children first.
 */
async function refuseWithChildren(store: ImageStore, image: ImageRecord): Promise<void> {
  if (image.kind === 'provider_image') return;
  const children = [
    ...await store.list({ baseImageId: image.id }),
    ...(image.kind === 'target_image' ? await store.list({ targetImageId: image.id }) : []),
  ].filter((c) => c.id !== image.id && c.kind !== 'base_image');
  if (!children.length) return;
  const shown = children.slice(0, 20).map((c) => `${IMAGE_CLASS[c.kind]} ${c.id} (${c.status})`).join(', ');
  throw new AppError('IMAGE_IN_USE', `${IMAGE_CLASS[image.kind]} ${image.id} cannot be deleted: ${children.length} image(s) were built from it: ${shown}${children.length > 20 ? ', ...' : ''}. Delete them first.`, {
    details: { children: children.map((c) => ({ id: c.id, kind: c.kind, status: c.status })) },
  });
}

/** Finishes a delete whose record is already DELETING (also used at start-up after a crash). */
export async function runDelete(deps: DeleteImageDeps, image: ImageRecord, req: DeleteRequest): Promise<void> {
  try {
    await deps.engine.cancel(image.id);
    if (image.kind === 'provider_image' && image.identifierOnProvider) {
      const provider = parseProvider(image.provider);
      const chosen = deps.plugins.providerFor(image.target ?? '', provider);
      if (!chosen.plugin) throw new AppError('PROVIDER_FAILED', `cannot delete from the provider: ${chosen.problem}`);
      await chosen.plugin.delete({
        ...(await makeDeleteContext(deps.execFactory, deps.artifacts, image.id)),
        target: image.target ?? '',
        provider,
        credentials: req.credentials,
        identifierOnProvider: image.identifierOnProvider,
      });
    }
    await deps.artifacts.removeAll(image.id);
    await deps.status.transition(image.id, 'DELETED', { activity: 'Image deleted.' });
    await deps.store.delete(image.id);
  } catch (e) {
    deps.logger.warn({ err: e, imageId: image.id }, 'delete failed');
    await deps.status.transition(image.id, 'DELETEFAILED', { activity: 'Failed to delete image.', error: (e as Error).message });
  } finally {
    await deps.artifacts.removeScratch(image.id).catch(() => undefined);
  }
}
