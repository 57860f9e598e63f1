import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { PushContext } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';

/**
 * The skopeo source for pushing a docker target image. Preferred: the OCI image layout the target
 * build kept (the target image's `oci_layout_path` property), pushed as is, so the registry receives
 * exactly its blobs and digests. Otherwise the body itself, a `docker save` archive, which skopeo
 * reads even when xz/gzip/bzip2-compressed.
 */
export async function registryPushSource(targetImage: PushContext['targetImage']): Promise<{ ref: string; kind: 'oci' | 'docker-archive' }> {
  const body = targetImage.bodyPath;
  const layout = typeof targetImage.properties.oci_layout_path === 'string' ? targetImage.properties.oci_layout_path : null;
  if (layout && await exists(join(layout, 'oci-layout')) && await exists(join(layout, 'index.json'))) {
    // Without a reference skopeo takes the layout's only manifest (the docker target writes one).
    return { ref: `oci:${layout}`, kind: 'oci' };
  }
  if (targetImage.format === 'docker' && await exists(body)) return { ref: `docker-archive:${body}`, kind: 'docker-archive' };
  throw new AppError('BUILD_FAILED',
    `Target image ${targetImage.id} has no image metadata to push (format ${targetImage.format ?? 'unknown'}); `
    + 'build it with create_docker_metadata=true');
}

async function exists(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}
