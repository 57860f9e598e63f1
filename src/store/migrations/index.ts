import type { Migration } from 'kysely';
import * as m0001 from './0001-images.js';
import * as m1001 from './1001-catalog-tables.js';
import * as m1002 from './1002-credentials-ref.js';

/** Numbered migrations, applied in name order. */
export const migrations: Record<string, Migration> = {
  '0001-images': m0001,
  '1001-catalog-tables': m1001,
  // Applied after 1001 on existing databases: Kysely runs migrations in name order only.
  '1002-credentials-ref': m1002,
};
