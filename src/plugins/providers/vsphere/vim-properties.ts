import { child, children, moRef, rawPart, refPart, renderPart, text, textPart, type MoRef, type Node } from './soap-envelope.js';
import type { VimClient } from './vim-client.js';
import type { ServiceContent } from './vim-session.js';

/**
 * PropertyCollector.RetrievePropertiesEx for one object: the `val` element of each property path
 * asked for (absent when unset). A missing object is vSphere's ManagedObjectNotFound fault.
 */
export async function retrieveProperties(vim: VimClient, content: ServiceContent, obj: MoRef, paths: readonly string[]): Promise<Map<string, Node>> {
  const spec = '<specSet><propSet>'
    + renderPart(textPart('type', obj.type)) + renderPart(textPart('all', false))
    + paths.map((p) => renderPart(textPart('pathSet', p))).join('')
    + '</propSet><objectSet>' + renderPart(refPart('obj', obj)) + renderPart(textPart('skip', false)) + '</objectSet></specSet>';
  const { response } = await vim.call('RetrievePropertiesEx', content.propertyCollector, [rawPart(spec), rawPart('<options></options>')]);
  const out = new Map<string, Node>();
  for (const objects of children(child(response, 'returnval'), 'objects')) {
    for (const p of children(objects, 'propSet')) {
      const name = text(child(p, 'name'));
      if (name) out.set(name, (p as Node).val as Node);
    }
  }
  return out;
}

/** A property that is a list of MoRefs (childEntity, vm…): `<val><ManagedObjectReference type=..>..</…>…</val>`. */
export function refList(val: Node | undefined): MoRef[] {
  if (!val || typeof val !== 'object') return [];
  return children(val, 'ManagedObjectReference').map((n) => moRef(n)).filter((r): r is MoRef => r !== undefined);
}

/** SearchIndex.FindByInventoryPath (`DC0/datastore/LocalDS_0`): the object, or undefined when nothing is there. */
export async function findByInventoryPath(vim: VimClient, content: ServiceContent, path: string): Promise<MoRef | undefined> {
  const { response } = await vim.call('FindByInventoryPath', content.searchIndex, [textPart('inventoryPath', path)]);
  return moRef(child(response, 'returnval'));
}
