import type { Kysely } from 'kysely';

/** Provider images that use a daemon-kept credential set remember its name, so a push can resume after a restart. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('images').addColumn('credentials_ref', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('images').dropColumn('credentials_ref').execute();
}
