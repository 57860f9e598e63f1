import type { ImageStore } from '../../core/ports/image-store.js';
import { type ImageRecord, type ImageStatus } from '../../domain/image.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';

/** What a dashboard row shows of an image: never its template, parameters or credentials. */
export interface ImageSummary {
  id: string;
  kind: ImageRecord['kind'];
  name: string | null;
  status: ImageStatus;
  percent_complete: number;
  activity: string;
  error: string | null;
  target: string | null;
  provider: string | null;
  base_image_id: string | null;
  target_image_id: string | null;
  identifier_on_provider: string | null;
  created_at: string;
  updated_at: string;
}

export interface TreeNode extends ImageSummary { children: TreeNode[] }

export interface TreePage {
  total: number;
  offset: number;
  limit: number;
  /** Images of every kind by status, for the header counters. */
  counts: Partial<Record<ImageStatus, number>>;
  bases: TreeNode[];
}

export interface TreeQuery { offset: number; limit: number; q?: string; status?: ImageStatus }

/** Names parsed from templates, kept while the (frozen, replaced-on-write) record is alive. */
const names = new WeakMap<ImageRecord, string | null>();

function nameOf(image: ImageRecord): string | null {
  if (names.has(image)) return names.get(image)!;
  let name: string | null = null;
  try { if (image.template) name = parseTdl(image.template).name; } catch { name = null; }
  names.set(image, name);
  return name;
}

export function summarize(image: ImageRecord): ImageSummary {
  return {
    id: image.id, kind: image.kind, name: nameOf(image), status: image.status,
    percent_complete: image.percentComplete, activity: image.statusDetail.activity, error: image.statusDetail.error,
    target: image.target, provider: providerName(image.provider), base_image_id: image.baseImageId, target_image_id: image.targetImageId,
    identifier_on_provider: image.identifierOnProvider, created_at: image.createdAt, updated_at: image.updatedAt,
  };
}

const UNFINISHED: readonly ImageStatus[] = ['NEW', 'PENDING', 'BUILDING', 'FAILED', 'DELETING', 'DELETED', 'DELETEFAILED'];

/**
 * Images by status. Almost every image of a large catalog is COMPLETE, so only the others are read
 * (one query) and COMPLETE is the rest: the cost follows the running and failed images, not the catalog.
 */
async function statusCounts(store: ImageStore): Promise<Partial<Record<ImageStatus, number>>> {
  const total = (await store.listIds({})).length;
  const counts: Partial<Record<ImageStatus, number>> = {};
  let others = 0;
  for (const id of await store.listIds({ statuses: UNFINISHED })) {
    const image = await store.get(id);
    if (!image || image.status === 'COMPLETE') continue;
    counts[image.status] = (counts[image.status] ?? 0) + 1;
    others++;
  }
  if (total - others > 0) counts.COMPLETE = total - others;
  return counts;
}

/** A provider given as an object is shown by its name/type only: the object may hold endpoint details. */
function providerName(provider: string | null): string | null {
  if (!provider || !provider.trim().startsWith('{')) return provider;
  try {
    const p = JSON.parse(provider) as Record<string, unknown>;
    const name = p.name ?? p.type ?? p.id;
    return typeof name === 'string' ? name : 'provider';
  } catch { return 'provider'; }
}

/**
 * One page of the image tree, newest base image first: base → target images → provider images.
 * Only the page's records are read, so a catalog of 10,000 images costs a page, not a catalog.
 */
export async function imageTreePage(store: ImageStore, query: TreeQuery): Promise<TreePage> {
  const all = await store.listIds({ kind: 'base_image' });
  const counts = await statusCounts(store);
  let ids: readonly string[] = all;
  if (query.q || query.status) {
    // A status filter is one SQL query; a search reads names only for the ids it has to.
    const candidates = query.status ? await store.listIds({ kind: 'base_image', statuses: [query.status] }) : all;
    const q = query.q?.toLowerCase();
    const matching: string[] = [];
    for (const id of candidates) {
      if (q && !id.startsWith(q)) {
        const image = await store.get(id);
        if (!image || !(nameOf(image) ?? '').toLowerCase().includes(q)) continue;
      }
      matching.push(id);
    }
    ids = matching;
  }
  const total = ids.length;
  const pageIds: string[] = [];
  for (let i = total - 1 - query.offset; i >= 0 && pageIds.length < query.limit; i--) pageIds.push(ids[i]);
  const bases: TreeNode[] = [];
  for (const id of pageIds) {
    const base = await store.get(id);
    if (!base) continue;
    const targets: TreeNode[] = [];
    for (const tid of await store.listIds({ kind: 'target_image', baseImageId: id })) {
      const target = await store.get(tid);
      if (!target) continue;
      const providers: TreeNode[] = [];
      for (const pid of await store.listIds({ kind: 'provider_image', targetImageId: tid })) {
        const p = await store.get(pid);
        if (p) providers.push({ ...summarize(p), children: [] });
      }
      targets.push({ ...summarize(target), children: providers });
    }
    bases.push({ ...summarize(base), children: targets });
  }
  return { total, offset: query.offset, limit: query.limit, counts, bases };
}
