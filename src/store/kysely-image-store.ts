import type { Selectable } from 'kysely';
import type { ImageKind, ImageRecord, ImageStatus } from '../domain/image.js';
import type { ImageFilter, ImagePatch, ImageStore } from '../core/ports/image-store.js';
import type { Db } from './database.js';
import type { ImagesTable } from './schema.js';

/** ImageStore on Kysely: SQLite by default; the queries are dialect-neutral so PostgreSQL can follow. */
export class KyselyImageStore implements ImageStore {
  constructor(private readonly db: Db) {}

  async insertMany(images: readonly ImageRecord[]): Promise<void> {
    if (images.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const image of images) await tx.insertInto('images').values(toRow(image)).execute();
    });
  }

  async get(id: string): Promise<ImageRecord | undefined> {
    const row = await this.db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async list(filter: ImageFilter = {}): Promise<ImageRecord[]> {
    const rows = await this.filtered(filter).selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async listIds(filter: ImageFilter = {}): Promise<string[]> {
    const rows = await this.filtered(filter).select('id').orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  private filtered(filter: ImageFilter) {
    let q = this.db.selectFrom('images');
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.baseImageId) q = q.where('base_image_id', '=', filter.baseImageId);
    if (filter.targetImageId) q = q.where('target_image_id', '=', filter.targetImageId);
    if (filter.statuses) q = q.where('status', 'in', filter.statuses.length ? [...filter.statuses] : ['']);
    return q;
  }

  async update(id: string, patch: ImagePatch): Promise<ImageRecord | undefined> {
    const row = toPartialRow(patch);
    row.updated_at = patch.updatedAt ?? new Date().toISOString();
    await this.db.updateTable('images').set(row).where('id', '=', id).execute();
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('images').where('id', '=', id).execute();
  }

  async findCompleteBaseByCacheKey(key: string): Promise<ImageRecord | undefined> {
    const row = await this.db.selectFrom('images').selectAll()
      .where('cache_key', '=', key).where('status', '=', 'COMPLETE').where('kind', '=', 'base_image')
      .orderBy('created_at', 'desc').executeTakeFirst();
    return row && fromRow(row);
  }

  async setCacheKey(id: string, key: string): Promise<void> {
    await this.db.updateTable('images').set({ cache_key: key }).where('id', '=', id).execute();
  }
}

function toRow(i: ImageRecord): ImagesTable {
  return {
    id: i.id,
    kind: i.kind,
    status: i.status,
    activity: i.statusDetail.activity,
    error: i.statusDetail.error,
    percent_complete: i.percentComplete,
    template: i.template,
    icicle: i.icicle,
    parameters: JSON.stringify(i.parameters),
    properties: JSON.stringify(i.properties),
    base_image_id: i.baseImageId,
    target_image_id: i.targetImageId,
    target: i.target,
    provider: i.provider,
    credentials_ref: i.credentialsRef,
    identifier_on_provider: i.identifierOnProvider,
    provider_account_identifier: i.providerAccountIdentifier,
    cache_key: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

function toPartialRow(p: ImagePatch): Partial<ImagesTable> {
  const row: Partial<ImagesTable> = {};
  if (p.status !== undefined) row.status = p.status;
  if (p.statusDetail !== undefined) { row.activity = p.statusDetail.activity; row.error = p.statusDetail.error; }
  if (p.percentComplete !== undefined) row.percent_complete = p.percentComplete;
  if (p.template !== undefined) row.template = p.template;
  if (p.icicle !== undefined) row.icicle = p.icicle;
  if (p.parameters !== undefined) row.parameters = JSON.stringify(p.parameters);
  if (p.properties !== undefined) row.properties = JSON.stringify(p.properties);
  if (p.baseImageId !== undefined) row.base_image_id = p.baseImageId;
  if (p.targetImageId !== undefined) row.target_image_id = p.targetImageId;
  if (p.target !== undefined) row.target = p.target;
  if (p.provider !== undefined) row.provider = p.provider;
  if (p.credentialsRef !== undefined) row.credentials_ref = p.credentialsRef;
  if (p.identifierOnProvider !== undefined) row.identifier_on_provider = p.identifierOnProvider;
  if (p.providerAccountIdentifier !== undefined) row.provider_account_identifier = p.providerAccountIdentifier;
  return row;
}

function fromRow(r: Selectable<ImagesTable>): ImageRecord {
  return {
    id: r.id,
    kind: r.kind as ImageKind,
    status: r.status as ImageStatus,
    statusDetail: { activity: r.activity, error: r.error },
    percentComplete: r.percent_complete,
    template: r.template,
    icicle: r.icicle,
    parameters: JSON.parse(r.parameters),
    properties: JSON.parse(r.properties),
    baseImageId: r.base_image_id,
    targetImageId: r.target_image_id,
    target: r.target,
    provider: r.provider,
    credentialsRef: r.credentials_ref,
    identifierOnProvider: r.identifier_on_provider,
    providerAccountIdentifier: r.provider_account_identifier,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
