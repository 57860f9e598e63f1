import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { ArtifactStore } from '../core/ports/artifact-store.js';
import { LocalArtifactStore } from '../store/local-artifact-store.js';
import { S3ArtifactStore } from '../store/s3-artifact-store.js';

/**
 * The artifact store `artifact_store` names: a directory (default <data_dir>/storage), or an
 * s3://bucket/prefix object store with a working copy under <data_dir>. Checked at start-up.
 */
export async function openArtifactStore(config: Config): Promise<ArtifactStore & { close?(): void }> {
  const dataDir = config.data_dir;
  const local = {
    storage: config.artifact_store.startsWith('/') ? config.artifact_store
      : typeof config.image_manager_args.storage_path === 'string' ? config.image_manager_args.storage_path : join(dataDir, 'storage'),
    scratch: config.imgdir || join(dataDir, 'images'),
    cache: join(dataDir, 'cache'),
  };
  if (!config.artifact_store.startsWith('s3://')) {
    const store = new LocalArtifactStore(local);
    await store.init();
    return store;
  }
  const store = new S3ArtifactStore({
    url: config.artifact_store,
    endpoint: config.s3_endpoint || undefined,
    region: config.s3_region,
    credentials: config.s3_access_key_id ? { accessKeyId: config.s3_access_key_id, secretAccessKey: config.s3_secret_access_key } : undefined,
    local,
  });
  await store.init();
  return store;
}
