import type { Kysely } from 'kysely';
import type { ImageKind, ImageRecord } from '../domain/image.js';
import { AppError } from '../domain/errors.js';
import type { CatalogImage } from './catalog-image.js';
import { catalogDb, type CatalogDb } from './store/catalog-tables.js';
import { ImageRepository } from './store/image-repository.js';
import { ParentRepository } from './store/parent-repository.js';
import { TaxonomyRepository } from './store/taxonomy-repository.js';

/** What the catalog needs from the factory (given by the composition root). */
export interface FactoryPort {
  getImage(id: string): Promise<ImageRecord | undefined>;
  /** The Image Factory delete use-case (runs in the background; status goes DELETING → DELETED). */
  deleteImage(kind: ImageKind, id: string, req: { provider?: unknown; credentials?: unknown; target?: unknown }): Promise<void>;
  /** Config `catalog_delete_credentials`: provider name or target → credentials. */
  deleteCredentials: Readonly<Record<string, unknown>>;
}

/** The one image catalog behind the Nova, Foreman and Hostway APIs. */
export class Catalog {
  readonly db: CatalogDb;
  readonly images: ImageRepository;
  readonly computeResources: ParentRepository;
  readonly operatingsystems: ParentRepository;
  readonly architectures: ParentRepository;
  readonly taxonomies: TaxonomyRepository;

  constructor(db: Kysely<any>, private readonly factory: FactoryPort) {
    this.db = catalogDb(db);
    this.images = new ImageRepository(this.db);
    this.computeResources = new ParentRepository(this.db, 'catalog_compute_resources');
    this.operatingsystems = new ParentRepository(this.db, 'catalog_operatingsystems');
    this.architectures = new ParentRepository(this.db, 'catalog_architectures');
    this.taxonomies = new TaxonomyRepository(this.db);
  }

  /**
   * Deletes an image everywhere. Factory images go through the factory's delete (the sync removes the
   * row when the factory reports DELETED); the row shows pending_delete at once. Images registered
   * through Foreman are only catalog rows.
   */
  async delete(image: CatalogImage): Promise<void> {
    if (!image.factoryId || !image.factoryKind) {
      await this.images.delete(image.id);
      return;
    }
    const record = await this.factory.getImage(image.factoryId);
    if (!record) {
      await this.images.delete(image.id);
      return;
    }
    const req: { provider?: unknown; credentials?: unknown; target?: unknown } = {};
    if (image.factoryKind === 'provider_image') {
      const creds = this.factory.deleteCredentials;
      const provider = image.metadata.provider ?? record.provider ?? '';
      // Own keys only: a provider named "constructor" (metadata is user-settable) is no credential.
      const own = (k: string) => (Object.hasOwn(creds, k) ? creds[k] : undefined);
      const credentials = own(provider) ?? own(record.target ?? '');
      if (credentials === undefined) throw new AppError('CATALOG_FORBIDDEN', 'You are not allowed to delete the image.');
      Object.assign(req, { provider: record.provider, target: record.target, credentials });
    }
    await this.factory.deleteImage(image.factoryKind, image.factoryId, req);
    await this.images.update(image.id, { state: 'pending_delete' });
  }
}
