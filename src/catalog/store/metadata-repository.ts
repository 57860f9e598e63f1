import type { CatalogDb } from './catalog-tables.js';

export type Metadata = Record<string, string | null>;

/**
 * Image metadata (Nova's image properties). Every change runs in one transaction that re-counts the
 * result and lets the caller veto it (quota), so a rejected request changes nothing.
 */
export class MetadataRepository {
  constructor(private readonly db: CatalogDb) {}

  async get(imageId: number): Promise<Metadata> {
    const rows = await this.db.selectFrom('catalog_image_metadata').select(['key', 'value']).where('image_id', '=', imageId).orderBy('key').execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async forImages(ids: readonly number[]): Promise<Map<number, Metadata>> {
    const out = new Map<number, Metadata>();
    if (ids.length === 0) return out;
    const rows = await this.db.selectFrom('catalog_image_metadata').select(['image_id', 'key', 'value'])
      .where('image_id', 'in', [...ids]).orderBy('image_id').orderBy('key').execute();
    for (const r of rows) {
      let m = out.get(r.image_id);
      // Null prototype: a key named __proto__ is data, never the prototype.
      if (!m) out.set(r.image_id, (m = Object.create(null) as Metadata));
      m[r.key] = r.value;
    }
    return out;
  }

  /**
   * Applies `change` (replace all, or upsert some and delete some keys) atomically. `check` sees the
   * resulting item count before commit and throws to abort.
   */
  async change(imageId: number, change: { replace?: Metadata; upsert?: Metadata; remove?: readonly string[] },
    check: (count: number) => void = () => undefined): Promise<Metadata> {
    return this.db.transaction().execute(async (tx) => {
      if (change.replace) await tx.deleteFrom('catalog_image_metadata').where('image_id', '=', imageId).execute();
      const put = Object.entries({ ...change.replace, ...change.upsert });
      if (put.length) {
        await tx.insertInto('catalog_image_metadata').values(put.map(([key, value]) => ({ image_id: imageId, key, value })))
          .onConflict((oc) => oc.columns(['image_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))).execute();
      }
      if (change.remove?.length) await tx.deleteFrom('catalog_image_metadata').where('image_id', '=', imageId).where('key', 'in', [...change.remove]).execute();
      const { n } = await tx.selectFrom('catalog_image_metadata').select((eb) => eb.fn.countAll<number>().as('n')).where('image_id', '=', imageId).executeTakeFirstOrThrow();
      check(Number(n));
      await tx.updateTable('catalog_images').set({ updated_at: new Date().toISOString() }).where('id', '=', imageId).execute();
      const rows = await tx.selectFrom('catalog_image_metadata').select(['key', 'value']).where('image_id', '=', imageId).orderBy('key').execute();
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    });
  }
}
