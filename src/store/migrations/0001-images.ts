import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('percent_complete', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('template', 'text')
    .addColumn('icicle', 'text')
    .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('base_image_id', 'text')
    .addColumn('target_image_id', 'text')
    .addColumn('target', 'text')
    .addColumn('provider', 'text')
    .addColumn('identifier_on_provider', 'text')
    .addColumn('provider_account_identifier', 'text')
    .addColumn('cache_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('images_kind_created').on('images').columns(['kind', 'created_at', 'id']).execute();
  await db.schema.createIndex('images_base').on('images').column('base_image_id').execute();
  await db.schema.createIndex('images_target').on('images').column('target_image_id').execute();
  await db.schema.createIndex('images_cache_key').on('images').columns(['cache_key', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('images').execute();
}
