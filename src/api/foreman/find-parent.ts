import type { Catalog } from '../../catalog/catalog.js';
import type { ParentRow } from '../../catalog/store/parent-repository.js';
import type { ParentResource } from './parent-resources.js';
import { computeResourceVisible, type TaxonomyContext } from './taxonomy.js';

/**
 * find_required_nested_object / friendly_id: "12" or "12-anything" is an id; otherwise architectures
 * match by name and operating systems by title. Compute resources outside the taxonomy are not found.
 */
export async function findParent(catalog: Catalog, resource: ParentResource, raw: string, ctx: TaxonomyContext): Promise<ParentRow | undefined> {
  const repo = resource.repo(catalog);
  const m = /^(\d+)(-.*)?$/.exec(raw);
  const row = m ? await repo.byId(Number(m[1])) : resource.friendlyColumn ? await repo.by(resource.friendlyColumn, raw) : undefined;
  if (row && resource.plural === 'compute_resources' && !computeResourceVisible(row, ctx)) return undefined;
  return row;
}
