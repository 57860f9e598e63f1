import type { Migration } from 'kysely';
import * as m0001 from './0001-images.js';
import * as m1001 from './1001-catalog-tables.js';

/** Numbered migrations, applied in name order. */
export const migrations: Record<string, Migration> = {
  '0001-images': m0001,
  '1001-catalog-tables': m1001,
};
