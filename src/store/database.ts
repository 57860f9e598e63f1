import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { AppError } from '../domain/errors.js';
import { redactUrl } from '../domain/redact-url.js';
import { migrations } from './migrations/index.js';
import type { DatabaseSchema } from './schema.js';

export type Db = Kysely<DatabaseSchema>;

/**
 * Opens the metadata database named by `database_url` (empty = the embedded SQLite file at
 * `sqlitePath`) and brings its schema up to date. One migration set serves both dialects.
 */
export async function openDatabase(url: string, sqlitePath: string): Promise<Db> {
  return url ? openPostgresDatabase(url) : openSqliteDatabase(sqlitePath);
}

/** Opens (creating if needed) the embedded SQLite database and brings its schema up to date. */
export async function openSqliteDatabase(path: string): Promise<Db> {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

// Counts (int8) and sums (numeric) come back as JS numbers, as SQLite's do: our values stay far below 2^53.
const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * A PostgreSQL database shared by any number of daemons and workers. It must answer at start-up:
 * otherwise a clear error naming the URL (without its password).
 */
export async function openPostgresDatabase(url: string, maxConnections = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: 10_000, types: PG_TYPES as never });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new AppError('STORE_UNAVAILABLE', `database ${redactUrl(url)} is unreachable: ${(e as Error).message}`);
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: unavailableAsAppError(pool, url) }) });
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}

/**
 * The database going away while we run (restart, network) becomes STORE_UNAVAILABLE naming it, which
 * the APIs answer with 503 and the reason, instead of an internal error.
 */
function unavailableAsAppError(pool: pg.Pool, url: string): pg.Pool {
  const unavailable = (e: unknown) => {
    const code = String((e as { code?: string }).code ?? '');
    const lost = !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57');
    return lost ? new AppError('STORE_UNAVAILABLE', `database ${redactUrl(url)} is unreachable: ${(e as Error).message}`, { cause: e }) : e;
  };
  const wrapped = new WeakSet<pg.PoolClient>(); // pooled clients come back: wrap each one once
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop !== 'connect') return Reflect.get(target, prop, receiver);
      return async () => {
        let client: pg.PoolClient;
        try { client = await target.connect(); } catch (e) { throw unavailable(e); }
        if (wrapped.has(client)) return client;
        wrapped.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as unknown as { query: unknown }).query = (...args: unknown[]) => query(...args).catch((e) => { throw unavailable(e); });
        return client;
      };
    },
  });
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly all: Record<string, Migration>) {}
  async getMigrations() { return this.all; }
}

async function migrate(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(migrations) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
