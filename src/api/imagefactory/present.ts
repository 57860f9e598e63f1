import { imageMetadata } from '../../domain/image-metadata.js';
import { IMAGE_CLASS, IMAGE_COLLECTION, type ImageKind, type ImageRecord } from '../../domain/image.js';

/** The wire shapes of §5: create response, single image, list. */

export function presentCreated(image: ImageRecord, requestUrl: string): Record<string, unknown> {
  return { [image.kind]: { ...imageMetadata(image), href: `${stripSlash(requestUrl)}/${image.id}` } };
}

export function presentList(kind: ImageKind, images: readonly ImageRecord[], requestUrl: string): Record<string, unknown> {
  const base = stripSlash(requestUrl);
  return {
    [IMAGE_COLLECTION[kind]]: images.map((i) => ({ [kind]: { _type: IMAGE_CLASS[kind], id: i.id, href: `${base}/${i.id}` } })),
  };
}

/** Single GET: metadata minus base/target ids, plus relation objects with the KEEP double nesting (D14). */
export function presentImage(image: ImageRecord, requestUrl: string, apiRoot: string, related: { children: readonly ImageRecord[]; parent?: ImageRecord }): Record<string, unknown> {
  const { base_image_id: _b, target_image_id: _t, ...meta } = imageMetadata(image);
  const body: Record<string, unknown> = { ...meta, href: requestUrl };
  const ref = (i: ImageRecord) => ({ _type: IMAGE_CLASS[i.kind], id: i.id, href: `${apiRoot}/${IMAGE_COLLECTION[i.kind]}/${i.id}` });
  const refList = (kind: ImageKind) => ({
    [IMAGE_COLLECTION[kind]]: related.children.filter((c) => c.kind === kind).map((c) => ({ [kind]: ref(c) })),
  });
  if (image.kind === 'base_image') {
    body.target_images = refList('target_image');
  } else if (image.kind === 'target_image') {
    body.base_image = related.parent ? ref(related.parent) : null;
    body.provider_images = refList('provider_image');
  } else {
    body.target_image = related.parent ? ref(related.parent) : null;
  }
  return { [image.kind]: body };
}

export function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
