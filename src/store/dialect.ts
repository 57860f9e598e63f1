import { PostgresAdapter, type Kysely } from 'kysely';

export type DatabaseDialect = 'sqlite' | 'postgres';

/** Which SQL dialect a Kysely instance speaks: migrations and the few dialect-specific statements ask. */
export function databaseDialect(db: Kysely<any>): DatabaseDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
