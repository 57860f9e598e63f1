import type { Migration } from 'kysely';
import * as m0001 from './0001-images.js';

/** Numbered migrations, applied in name order. */
export const migrations: Record<string, Migration> = {
  '0001-images': m0001,
};
