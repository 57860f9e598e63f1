import type { Generated, Kysely } from 'kysely';

/** Row shapes of the catalog's own tables (migration 1001-catalog-tables). */

export interface CatalogImagesTable {
  id: Generated<number>;
  nova_id: string;
  factory_id: string | null;
  factory_kind: string | null;
  name: string;
  state: string;
  size: number;
  min_disk: number;
  min_ram: number;
  compute_resource_id: number;
  operatingsystem_id: number;
  architecture_id: number;
  uuid: string;
  username: string;
  password: string | null;
  user_data: number;
  iam_role: string | null;
  created_at: string;
  updated_at: string;
}

export interface CatalogMetadataTable {
  image_id: number;
  key: string;
  value: string | null;
}

export interface CatalogComputeResourcesTable {
  id: Generated<number>;
  name: string;
  provider: string;
  url: string;
  description: string | null;
  location_id: number | null;
  organization_id: number | null;
  image_count: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CatalogOperatingsystemsTable {
  id: Generated<number>;
  name: string;
  major: string;
  minor: string;
  family: string | null;
  description: string | null;
  title: string;
  image_count: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CatalogArchitecturesTable {
  id: Generated<number>;
  name: string;
  image_count: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CatalogTaxonomiesTable {
  id: Generated<number>;
  type: string;
  name: string;
}

export interface CatalogTables {
  catalog_images: CatalogImagesTable;
  catalog_image_metadata: CatalogMetadataTable;
  catalog_compute_resources: CatalogComputeResourcesTable;
  catalog_operatingsystems: CatalogOperatingsystemsTable;
  catalog_architectures: CatalogArchitecturesTable;
  catalog_taxonomies: CatalogTaxonomiesTable;
}

export type CatalogDb = Kysely<CatalogTables>;

/** The container's database seen through the catalog's tables (same SQLite file, own tables). */
export function catalogDb(db: Kysely<any>): CatalogDb {
  return db as CatalogDb;
}
