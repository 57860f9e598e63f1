import type { CatalogImage } from '../../catalog/catalog-image.js';
import { foremanTime } from './timestamps.js';

/** Compute resource types that support user data (the view adds `user_data` only for them). */
const USER_DATA_PROVIDERS = new Set(['ec2', 'openstack', 'vmware', 'ovirt']);

/** images/main.json.rabl, in Foreman's key order; `password` is never rendered. */
export function imageJson(image: CatalogImage) {
  const provider = image.computeResource.provider.toLowerCase();
  const out: Record<string, unknown> = {
    operatingsystem_id: image.operatingsystem.id,
    operatingsystem_name: image.operatingsystem.title,
    compute_resource_id: image.computeResource.id,
    compute_resource_name: image.computeResource.name,
    architecture_id: image.architecture.id,
    architecture_name: image.architecture.name,
    uuid: image.uuid,
    username: image.username,
    created_at: foremanTime(image.createdAt),
    updated_at: foremanTime(image.updatedAt),
  };
  if (USER_DATA_PROVIDERS.has(provider)) out.user_data = image.userData;
  if (provider === 'ec2') out.iam_role = image.iamRole;
  out.id = image.id;
  out.name = image.name;
  return out;
}

/** `thin=true`: only id and name. */
export function thinJson(image: CatalogImage) {
  return { id: image.id, name: image.name };
}

/** DELETE renders the raw record (columns in DB order, ISO timestamps) minus `password` (our documented deviation). */
export function destroyedJson(image: CatalogImage) {
  return {
    id: image.id,
    operatingsystem_id: image.operatingsystem.id,
    compute_resource_id: image.computeResource.id,
    architecture_id: image.architecture.id,
    uuid: image.uuid,
    username: image.username,
    name: image.name,
    created_at: image.createdAt,
    updated_at: image.updatedAt,
    iam_role: image.iamRole,
    user_data: image.userData,
  };
}
