import type { ImageCreator } from '../../core/images/create-images.js';
import type { DeleteRequest } from '../../core/images/delete-image.js';
import type { ImportRequest } from '../../core/images/import-base-image.js';
import type { ArtifactStore } from '../../core/ports/artifact-store.js';
import type { ImageStore } from '../../core/ports/image-store.js';
import type { PluginCatalog } from '../../core/ports/plugin-catalog.js';
import type { WorkerInfo } from '../../core/ports/worker-registry.js';
import type { ImageKind, ImageRecord } from '../../domain/image.js';
import type { JeosCatalog } from './jeos.js';
import type { DashboardSessions } from '../dashboard/sessions.js';
import type { ImageEventHub } from './event-hub.js';
import type { OAuthVerifier } from './oauth.js';

export interface ImageFactoryApiDeps {
  store: ImageStore;
  creator: ImageCreator;
  deleteImage: (kind: ImageKind, id: string, req: DeleteRequest) => Promise<void>;
  /** Stores an uploaded disk and starts its base-image build (the import use-case). */
  importBaseImage: (req: ImportRequest) => Promise<ImageRecord>;
  artifacts: ArtifactStore;
  plugins: PluginCatalog;
  /** null when OAuth is off (--no_oauth). */
  oauth: OAuthVerifier | null;
  /** Let GET/HEAD through without OAuth (config oauth_open_reads). */
  oauthOpenReads: boolean;
  /** Dashboard log-ins (session cookies), checked beside OAuth. */
  sessions: DashboardSessions | null;
  /** Image state changes for /imagefactory/events. */
  events: ImageEventHub;
  jeos: JeosCatalog;
  /** Whether an image's build is still running (for streaming logs). */
  isBuilding: (id: string) => boolean;
  version: string;
  /** build_mode queue: the workers and the queue depth per capability (absent in local mode). */
  workers?: () => Promise<{ workers: WorkerInfo[]; depth: Record<string, number> }>;
}
