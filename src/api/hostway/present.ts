import type { CatalogImage } from '../../catalog/catalog-image.js';
import { hostwayStatus } from '../../catalog/image-state.js';

/** `YYYY-MM-DDTHH:MM:SS`: no fraction, no zone (ImageListDetails). */
const hostwayTime = (iso: string) => iso.slice(0, 19);

/** self and bookmark are the same URL, with a trailing slash. */
function links(base: string, id: string) {
  const href = `${base}/images/${id}/`;
  return [{ rel: 'self', href }, { rel: 'bookmark', href }];
}

export function basicItem(image: CatalogImage, base: string) {
  return { name: image.name, links: links(base, image.novaId), id: image.novaId, zones: [image.computeResource.name] };
}

export function detailItem(image: CatalogImage, base: string) {
  return {
    status: hostwayStatus(image.state),
    updated: null,
    name: image.name,
    links: links(base, image.novaId),
    created: hostwayTime(image.createdAt),
    id: image.novaId,
    zones: [image.computeResource.name],
  };
}
