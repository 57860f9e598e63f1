import type { CatalogDb } from './catalog-tables.js';
import type { CatalogImage } from '../catalog-image.js';

/** The image columns plus parent names, as one joined select (parents are PK lookups). */
export function selectImages(db: CatalogDb) {
  return db.selectFrom('catalog_images as i')
    .innerJoin('catalog_compute_resources as cr', 'cr.id', 'i.compute_resource_id')
    .innerJoin('catalog_operatingsystems as os', 'os.id', 'i.operatingsystem_id')
    .innerJoin('catalog_architectures as ar', 'ar.id', 'i.architecture_id')
    .select([
      'i.id', 'i.nova_id', 'i.factory_id', 'i.factory_kind', 'i.name', 'i.state', 'i.size', 'i.min_disk', 'i.min_ram',
      'i.compute_resource_id', 'i.operatingsystem_id', 'i.architecture_id', 'i.uuid', 'i.username', 'i.user_data',
      'i.iam_role', 'i.created_at', 'i.updated_at',
      'cr.name as cr_name', 'cr.provider as cr_provider', 'os.title as os_title', 'ar.name as ar_name',
    ]);
}

export type ImageRow = Awaited<ReturnType<ReturnType<typeof selectImages>['execute']>>[number];

export function fromRow(r: ImageRow, metadata: Record<string, string | null>): CatalogImage {
  return {
    id: r.id,
    novaId: r.nova_id,
    factoryId: r.factory_id,
    factoryKind: r.factory_kind as CatalogImage['factoryKind'],
    name: r.name,
    state: r.state,
    size: r.size,
    minDisk: r.min_disk,
    minRam: r.min_ram,
    computeResource: { id: r.compute_resource_id, name: r.cr_name, provider: r.cr_provider },
    operatingsystem: { id: r.operatingsystem_id, title: r.os_title },
    architecture: { id: r.architecture_id, name: r.ar_name },
    uuid: r.uuid,
    username: r.username,
    userData: r.user_data !== 0,
    iamRole: r.iam_role,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    metadata,
  };
}
