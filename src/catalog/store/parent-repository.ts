import { NO_LIMIT } from './no-limit.js';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { CatalogDb } from './catalog-tables.js';

/** Foreman's image parents (compute resources, operating systems, architectures) as plain rows. */
export type ParentTable = 'catalog_compute_resources' | 'catalog_operatingsystems' | 'catalog_architectures';
export type ParentRow = Record<string, unknown> & { id: number; image_count: number; created_at: string; updated_at: string };
export type ParentWhere = (eb: ExpressionBuilder<any, any>) => Expression<SqlBool>;

/**
 * One repository for the three parent tables: they differ only in columns, and Foreman treats them
 * alike (index with search/order/paging, show, create). `image_count` is maintained by triggers.
 */
export class ParentRepository {
  private readonly db: Kysely<any>;

  constructor(db: CatalogDb, readonly table: ParentTable) {
    this.db = db as Kysely<any>;
  }

  async byId(id: number): Promise<ParentRow | undefined> {
    return this.db.selectFrom(this.table).selectAll().where('id', '=', id).executeTakeFirst() as Promise<ParentRow | undefined>;
  }

  async by(column: string, value: string): Promise<ParentRow | undefined> {
    return this.db.selectFrom(this.table).selectAll().where(column, '=', value).orderBy('id').executeTakeFirst() as Promise<ParentRow | undefined>;
  }

  async page(where: ParentWhere | null, order: { column: string; desc: boolean }, offset: number, limit: number | null): Promise<ParentRow[]> {
    let q = this.db.selectFrom(this.table).selectAll();
    if (where) q = q.where(where);
    q = q.orderBy(order.column, order.desc ? 'desc' : 'asc');
    if (order.column !== 'id') q = q.orderBy('id');
    return q.limit(limit ?? NO_LIMIT).offset(offset).execute() as Promise<ParentRow[]>;
  }

  async count(where: ParentWhere | null): Promise<number> {
    let q = this.db.selectFrom(this.table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (where) q = q.where(where);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  async insert(values: Record<string, unknown>): Promise<ParentRow> {
    const now = new Date().toISOString();
    const { id } = await this.db.insertInto(this.table).values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    return (await this.byId(id))!;
  }

  /** Returns the row whose `column` equals `values[column]`, creating it when absent (sync). */
  async findOrCreate(column: string, values: Record<string, unknown>): Promise<ParentRow> {
    const found = await this.by(column, String(values[column]));
    if (found) return found;
    const now = new Date().toISOString();
    await this.db.insertInto(this.table).values({ ...values, created_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing()).execute();
    return (await this.by(column, String(values[column])))!;
  }
}

/** Operating system title as Foreman computes it: the description, else "Name major[.minor]". */
export function osTitle(name: string, major: string, minor: string, description?: string | null): string {
  if (description) return description;
  return `${name} ${major}${minor ? `.${minor}` : ''}`.trim();
}
