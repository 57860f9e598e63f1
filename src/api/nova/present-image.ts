import type { CatalogImage } from '../../catalog/catalog-image.js';
import { novaStatus } from '../../catalog/image-state.js';
import { imageLinks, type LinkBase } from './links.js';

/** `YYYY-MM-DDTHH:MM:SSZ` (seconds, literal Z). */
export function novaTime(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

export function indexItem(image: CatalogImage, base: LinkBase) {
  return { id: image.novaId, name: image.name, links: imageLinks(base, image.novaId) };
}

/** The detail/show view (views/images.py): fixed keys, `server` and `OS-DCF:diskConfig` only when the metadata calls for them. */
export function detailItem(image: CatalogImage, base: LinkBase) {
  const { status, progress } = novaStatus(image.state);
  const item: Record<string, unknown> = {
    'OS-EXT-IMG-SIZE:size': image.size,
    created: novaTime(image.createdAt),
    id: image.novaId,
    links: imageLinks(base, image.novaId),
    metadata: image.metadata,
    minDisk: image.minDisk,
    minRam: image.minRam,
    name: image.name,
    progress,
    status,
    updated: novaTime(image.updatedAt),
  };
  const auto = image.metadata.auto_disk_config;
  if (auto !== undefined) item['OS-DCF:diskConfig'] = isTrue(auto) ? 'AUTO' : 'MANUAL';
  const server = image.metadata.instance_uuid;
  if (server) {
    item.server = {
      id: server,
      links: [
        { rel: 'self', href: `${base.origin}/v2.1${base.projectId ? `/${base.projectId}` : ''}/servers/${server}` },
        { rel: 'bookmark', href: `${base.origin}${base.projectId ? `/${base.projectId}` : ''}/servers/${server}` },
      ],
    };
  }
  return item;
}

/** oslo strutils.bool_from_string. */
function isTrue(v: string | null): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(String(v ?? '').trim().toLowerCase());
}
