import type { ImageRecord } from '../domain/image.js';
import type { ImageFilter, ImagePatch, ImageStore } from '../core/ports/image-store.js';

/**
 * A read-through cache in front of an ImageStore, for a process that is the only writer of its
 * database (the embedded SQLite default): every write passes through here and invalidates what it
 * touches, so reads never see stale data. Records are frozen so a cached one cannot be changed by
 * a caller. Saves the SQL round trips of the hot GET paths (see BENCHMARKS.md).
 */
export class CachedImageStore implements ImageStore {
  private readonly records = new Map<string, ImageRecord>();
  private readonly idLists = new Map<string, string[]>();

  constructor(private readonly inner: ImageStore, private readonly maxRecords = 20_000) {}

  async insertMany(images: readonly ImageRecord[]): Promise<void> {
    await this.inner.insertMany(images);
    this.idLists.clear();
  }

  async get(id: string): Promise<ImageRecord | undefined> {
    const hit = this.records.get(id);
    if (hit) return hit;
    const record = await this.inner.get(id);
    if (record) this.remember(record);
    return record;
  }

  list(filter?: ImageFilter): Promise<ImageRecord[]> {
    return this.inner.list(filter);
  }

  async listIds(filter: ImageFilter = {}): Promise<string[]> {
    // Status changes do not invalidate id lists, so status-filtered lists are never cached.
    if (filter.statuses) return this.inner.listIds(filter);
    const key = `${filter.kind ?? ''}|${filter.baseImageId ?? ''}|${filter.targetImageId ?? ''}`;
    const hit = this.idLists.get(key);
    if (hit) return hit;
    const ids = Object.freeze(await this.inner.listIds(filter)) as string[];
    this.idLists.set(key, ids);
    return ids;
  }

  async update(id: string, patch: ImagePatch): Promise<ImageRecord | undefined> {
    this.records.delete(id);
    const record = await this.inner.update(id, patch);
    if ('baseImageId' in patch || 'targetImageId' in patch) this.idLists.clear();
    if (record) this.remember(record);
    return record;
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
    await this.inner.delete(id);
    this.idLists.clear();
  }

  findCompleteBaseByCacheKey(key: string): Promise<ImageRecord | undefined> {
    return this.inner.findCompleteBaseByCacheKey(key);
  }

  setCacheKey(id: string, key: string): Promise<void> {
    return this.inner.setCacheKey(id, key);
  }

  private remember(record: ImageRecord): void {
    Object.freeze(record.parameters);
    Object.freeze(record.properties);
    Object.freeze(record.statusDetail);
    this.records.set(record.id, Object.freeze(record));
    if (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value!);
  }
}
