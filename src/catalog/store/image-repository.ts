import { NO_LIMIT } from './no-limit.js';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { CatalogImage, CatalogImageFields } from '../catalog-image.js';
import type { CatalogDb, CatalogTables } from './catalog-tables.js';
import { fromRow, selectImages } from './image-rows.js';
import { MetadataRepository } from './metadata-repository.js';

type ImageJoin = CatalogTables & {
  i: CatalogTables['catalog_images']; cr: CatalogTables['catalog_compute_resources'];
  os: CatalogTables['catalog_operatingsystems']; ar: CatalogTables['catalog_architectures'];
};

/** Keyset position in the newest-first order (Nova/Hostway `marker`). */
export interface ListCursor { createdAt: string; id: number }

/** Filters of the newest-first lists (Nova, Hostway). Every one is an indexed equality or range. */
export interface NewestFirstFilter {
  name?: string;
  states?: readonly string[];
  updatedSince?: string;
  minRam?: number;
  minDisk?: number;
  computeResourceId?: number;
  /** Metadata key = value pairs that must all hold. */
  properties?: readonly [string, string][];
  /** `false` filters to images the factory never made (Hostway `type=SERVER`). */
}

/** A condition over the joined image select (aliases i, cr, os, ar). */
export type ImageWhere = (eb: ExpressionBuilder<ImageJoin, 'i' | 'cr' | 'os' | 'ar'>) => Expression<SqlBool>;

/** Foreman's list: a scope, a compiled search, an order and offset paging. */
export interface ForemanListQuery {
  scope: ImageWhere;
  search: ImageWhere | null;
  order: { column: string; desc: boolean };
  offset: number;
  limit: number | null;
}

export class ImageRepository {
  readonly metadata: MetadataRepository;

  constructor(private readonly db: CatalogDb) {
    this.metadata = new MetadataRepository(db);
  }

  async byNovaId(novaId: string): Promise<CatalogImage | undefined> {
    return this.one(await selectImages(this.db).where('i.nova_id', '=', novaId).executeTakeFirst());
  }

  async byId(id: number): Promise<CatalogImage | undefined> {
    return this.one(await selectImages(this.db).where('i.id', '=', id).executeTakeFirst());
  }

  async byFactoryId(factoryId: string): Promise<CatalogImage | undefined> {
    return this.one(await selectImages(this.db).where('i.factory_id', '=', factoryId).executeTakeFirst());
  }

  /** Newest first, after `cursor`, at most `limit` rows; metadata loaded in one query. */
  async listNewestFirst(filter: NewestFirstFilter, limit: number, cursor?: ListCursor): Promise<CatalogImage[]> {
    let q = selectImages(this.db);
    if (filter.name !== undefined) q = q.where('i.name', '=', filter.name);
    if (filter.states) q = q.where('i.state', 'in', filter.states.length ? [...filter.states] : ['']);
    if (filter.updatedSince !== undefined) q = q.where('i.updated_at', '>=', filter.updatedSince);
    if (filter.minRam !== undefined) q = q.where('i.min_ram', '=', filter.minRam);
    if (filter.minDisk !== undefined) q = q.where('i.min_disk', '=', filter.minDisk);
    if (filter.computeResourceId !== undefined) q = q.where('i.compute_resource_id', '=', filter.computeResourceId);
    for (const [key, value] of filter.properties ?? []) {
      q = q.where(({ exists, selectFrom }) => exists(selectFrom('catalog_image_metadata as m')
        .select('m.image_id').whereRef('m.image_id', '=', 'i.id').where('m.key', '=', key).where('m.value', '=', value)));
    }
    if (cursor) q = q.where(sql<SqlBool>`(i.created_at, i.id) < (${cursor.createdAt}, ${cursor.id})`);
    const rows = await q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit).execute();
    const meta = await this.metadata.forImages(rows.map((r) => r.id));
    return rows.map((r) => fromRow(r, meta.get(r.id) ?? {}));
  }

  async foremanPage(query: ForemanListQuery): Promise<CatalogImage[]> {
    let q = selectImages(this.db).where(query.scope);
    if (query.search) q = q.where(query.search);
    q = q.orderBy(sql.ref(query.order.column), query.order.desc ? 'desc' : 'asc');
    if (query.order.column !== 'i.id') q = q.orderBy('i.id', 'asc');
    const rows = await q.limit(query.limit ?? NO_LIMIT).offset(query.offset).execute();
    return rows.map((r) => fromRow(r, {}));
  }

  async foremanCount(scope: ImageWhere, search: ImageWhere | null): Promise<number> {
    let q = selectImages(this.db).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).where(scope);
    if (search) q = q.where(search);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  async insert(fields: CatalogImageFields & { novaId: string; factoryId?: string; factoryKind?: string; createdAt: string; updatedAt: string },
    metadata: Record<string, string | null> = {}): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const { id } = await tx.insertInto('catalog_images').values({
        nova_id: fields.novaId, factory_id: fields.factoryId ?? null, factory_kind: fields.factoryKind ?? null,
        ...toColumns(fields), created_at: fields.createdAt, updated_at: fields.updatedAt,
      }).returning('id').executeTakeFirstOrThrow();
      const entries = Object.entries(metadata);
      if (entries.length) await tx.insertInto('catalog_image_metadata').values(entries.map(([key, value]) => ({ image_id: id, key, value }))).execute();
      return id;
    });
  }

  async update(id: number, fields: Partial<CatalogImageFields>, updatedAt = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('catalog_images').set({ ...toColumns(fields), updated_at: updatedAt }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('catalog_images').where('id', '=', id).execute();
  }

  /** Is `uuid` taken on the compute resource (by another image than `exceptId`)? */
  async uuidTaken(computeResourceId: number, uuid: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('catalog_images').select('id').where('compute_resource_id', '=', computeResourceId).where('uuid', '=', uuid);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async nameTaken(computeResourceId: number, operatingsystemId: number, name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('catalog_images').select('id').where('compute_resource_id', '=', computeResourceId)
      .where('name', '=', name).where('operatingsystem_id', '=', operatingsystemId);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  /** Factory ids of all synced images (start-up reconciliation only). */
  async factoryIds(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('catalog_images').select(['id', 'factory_id']).where('factory_id', 'is not', null).execute();
    return new Map(rows.map((r) => [r.factory_id as string, r.id]));
  }

  private async one(row: Awaited<ReturnType<ReturnType<typeof selectImages>['executeTakeFirst']>>): Promise<CatalogImage | undefined> {
    if (!row) return undefined;
    return fromRow(row, await this.metadata.get(row.id));
  }
}

function toColumns(f: Partial<CatalogImageFields>) {
  const c: Record<string, unknown> = {};
  if (f.name !== undefined) c.name = f.name;
  if (f.state !== undefined) c.state = f.state;
  if (f.size !== undefined) c.size = f.size;
  if (f.minDisk !== undefined) c.min_disk = f.minDisk;
  if (f.minRam !== undefined) c.min_ram = f.minRam;
  if (f.computeResourceId !== undefined) c.compute_resource_id = f.computeResourceId;
  if (f.operatingsystemId !== undefined) c.operatingsystem_id = f.operatingsystemId;
  if (f.architectureId !== undefined) c.architecture_id = f.architectureId;
  if (f.uuid !== undefined) c.uuid = f.uuid;
  if (f.username !== undefined) c.username = f.username;
  if (f.password !== undefined) c.password = f.password;
  if (f.userData !== undefined) c.user_data = f.userData ? 1 : 0;
  if (f.iamRole !== undefined) c.iam_role = f.iamRole;
  return c as {
    name: string; state: string; size: number; min_disk: number; min_ram: number; compute_resource_id: number;
    operatingsystem_id: number; architecture_id: number; uuid: string; username: string; password: string | null;
    user_data: number; iam_role: string | null;
  };
}
