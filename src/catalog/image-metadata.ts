import { AppError } from '../domain/errors.js';
import type { CatalogImage } from './catalog-image.js';
import type { Catalog } from './catalog.js';
import type { Metadata } from './store/metadata-repository.js';

/** Nova's `metadata_items` quota (conf/quota.py default). */
export const METADATA_ITEMS_LIMIT = 128;

const overQuota = (count: number) => {
  if (count > METADATA_ITEMS_LIMIT) throw new AppError('CATALOG_QUOTA_EXCEEDED', 'Image metadata limit exceeded');
};

/** Image metadata use-cases with Nova's semantics (catalog-apis.md §1.8); keys/values are validated by the API. */
export class ImageMetadata {
  constructor(private readonly catalog: Catalog) {}

  merge(image: CatalogImage, items: Metadata): Promise<Metadata> {
    return this.catalog.images.metadata.change(image.id, { upsert: items }, overQuota);
  }

  replace(image: CatalogImage, items: Metadata): Promise<Metadata> {
    return this.catalog.images.metadata.change(image.id, { replace: items }, overQuota);
  }

  async setKey(image: CatalogImage, key: string, value: string | null): Promise<void> {
    await this.catalog.images.metadata.change(image.id, { upsert: { [key]: value } }, overQuota);
  }

  async deleteKey(image: CatalogImage, key: string): Promise<void> {
    if (!Object.hasOwn(image.metadata, key)) throw new AppError('CATALOG_NOT_FOUND', 'Invalid metadata key');
    await this.catalog.images.metadata.change(image.id, { remove: [key] });
  }
}
