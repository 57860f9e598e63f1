import { sql, type Kysely } from 'kysely';
import { databaseDialect } from '../dialect.js';

/**
 * The image catalog behind the Nova, Foreman and Hostway APIs (catalog-apis.md): catalog images with
 * their metadata, and the Foreman parents (compute resources, operating systems, architectures,
 * taxonomies). Parents carry an image_count kept by triggers so Foreman's `total` never counts rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = databaseDialect(db) === 'postgres';
  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (kept as it was); PostgreSQL: a serial column.
  const idType = postgres ? 'serial' : 'integer';
  const id = (c: any) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema.createTable('catalog_taxonomies')
    .addColumn('id', idType, id)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('catalog_taxonomies').values([
    { type: 'Organization', name: 'Default Organization' },
    { type: 'Location', name: 'Default Location' },
  ]).execute();

  await db.schema.createTable('catalog_compute_resources')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text')
    .addColumn('location_id', 'integer')
    .addColumn('organization_id', 'integer')
    .addColumn('image_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('catalog_operatingsystems')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('major', 'text', (c) => c.notNull())
    .addColumn('minor', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('family', 'text')
    .addColumn('description', 'text')
    .addColumn('title', 'text', (c) => c.notNull().unique())
    .addColumn('image_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('catalog_architectures')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('image_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('catalog_images')
    .addColumn('id', idType, id)
    .addColumn('nova_id', 'text', (c) => c.notNull().unique())
    .addColumn('factory_id', 'text', (c) => c.unique())
    .addColumn('factory_kind', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('size', postgres ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_disk', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_ram', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('compute_resource_id', 'integer', (c) => c.notNull().references('catalog_compute_resources.id'))
    .addColumn('operatingsystem_id', 'integer', (c) => c.notNull().references('catalog_operatingsystems.id'))
    .addColumn('architecture_id', 'integer', (c) => c.notNull().references('catalog_architectures.id'))
    .addColumn('uuid', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('password', 'text')
    .addColumn('user_data', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('iam_role', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Nova/Hostway order: newest first; each filter has an index ending in the sort key.
  const idx = (name: string, cols: string[], unique = false) => {
    let b = db.schema.createIndex(name).on('catalog_images').columns(cols);
    if (unique) b = b.unique();
    return b.execute();
  };
  await idx('catalog_images_created', ['created_at', 'id']);
  await idx('catalog_images_name', ['name', 'created_at', 'id']);
  await idx('catalog_images_state', ['state', 'created_at', 'id']);
  await idx('catalog_images_updated', ['updated_at']);
  await idx('catalog_images_min_ram', ['min_ram', 'created_at', 'id']);
  await idx('catalog_images_min_disk', ['min_disk', 'created_at', 'id']);
  await idx('catalog_images_cr_uuid', ['compute_resource_id', 'uuid'], true);
  await idx('catalog_images_cr_name', ['compute_resource_id', 'name']);
  await idx('catalog_images_os', ['operatingsystem_id', 'id']);
  await idx('catalog_images_arch', ['architecture_id', 'id']);
  await idx('catalog_images_username', ['username']);

  await db.schema.createTable('catalog_image_metadata')
    .addColumn('image_id', 'integer', (c) => c.notNull().references('catalog_images.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addPrimaryKeyConstraint('catalog_image_metadata_pk', ['image_id', 'key'])
    .execute();
  await db.schema.createIndex('catalog_image_metadata_kv').on('catalog_image_metadata').columns(['key', 'value', 'image_id']).execute();

  // Counters of listed (active) images per parent, so Foreman's `total` is a primary-key read.
  for (const [parent, column] of [['compute_resources', 'compute_resource_id'], ['operatingsystems', 'operatingsystem_id'], ['architectures', 'architecture_id']]) {
    const t = `catalog_${parent}`;
    if (postgres) {
      await sql.raw(`CREATE FUNCTION ${t}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'active' THEN UPDATE ${t} SET image_count = image_count - 1 WHERE id = OLD.${column}; END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.state = 'active' THEN UPDATE ${t} SET image_count = image_count + 1 WHERE id = NEW.${column}; END IF;
        RETURN NULL; END $$`).execute(db);
      await sql.raw(`CREATE TRIGGER ${t}_count AFTER INSERT OR DELETE OR UPDATE OF state, ${column} ON catalog_images
        FOR EACH ROW EXECUTE FUNCTION ${t}_count()`).execute(db);
      continue;
    }
    await sql.raw(`CREATE TRIGGER ${t}_count_ins AFTER INSERT ON catalog_images WHEN NEW.state = 'active' BEGIN
      UPDATE ${t} SET image_count = image_count + 1 WHERE id = NEW.${column}; END`).execute(db);
    await sql.raw(`CREATE TRIGGER ${t}_count_del AFTER DELETE ON catalog_images WHEN OLD.state = 'active' BEGIN
      UPDATE ${t} SET image_count = image_count - 1 WHERE id = OLD.${column}; END`).execute(db);
    await sql.raw(`CREATE TRIGGER ${t}_count_upd AFTER UPDATE OF state, ${column} ON catalog_images BEGIN
      UPDATE ${t} SET image_count = image_count - 1 WHERE id = OLD.${column} AND OLD.state = 'active';
      UPDATE ${t} SET image_count = image_count + 1 WHERE id = NEW.${column} AND NEW.state = 'active'; END`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['catalog_image_metadata', 'catalog_images', 'catalog_architectures', 'catalog_operatingsystems', 'catalog_compute_resources', 'catalog_taxonomies']) {
    await db.schema.dropTable(t).execute();
  }
  if (databaseDialect(db) === 'postgres') {
    for (const t of ['catalog_compute_resources', 'catalog_operatingsystems', 'catalog_architectures']) await sql.raw(`DROP FUNCTION IF EXISTS ${t}_count()`).execute(db);
  }
}
