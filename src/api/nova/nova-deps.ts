import type { Catalog } from '../../catalog/catalog.js';
import type { ImageMetadata } from '../../catalog/image-metadata.js';
import type { NovaLinkConfig } from './links.js';

export interface NovaDeps {
  catalog: Catalog;
  metadata: ImageMetadata;
  /** Config `nova_tokens`: token → project id; empty = no authentication (noauth2). */
  tokens: Readonly<Record<string, string>>;
  links: NovaLinkConfig;
}
