import type { CatalogDb } from './catalog-tables.js';

export type TaxonomyType = 'Location' | 'Organization';

/** Foreman locations and organizations (a default one of each is seeded by the migration). */
export class TaxonomyRepository {
  constructor(private readonly db: CatalogDb) {}

  async find(type: TaxonomyType, id: number): Promise<{ id: number; name: string } | undefined> {
    return this.db.selectFrom('catalog_taxonomies').select(['id', 'name']).where('type', '=', type).where('id', '=', id).executeTakeFirst();
  }

  async list(type: TaxonomyType): Promise<{ id: number; name: string }[]> {
    return this.db.selectFrom('catalog_taxonomies').select(['id', 'name']).where('type', '=', type).orderBy('id').execute();
  }
}
