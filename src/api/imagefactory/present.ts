import { imageMetadata } from '../../domain/image-metadata.js';
import { IMAGE_CLASS, IMAGE_COLLECTION, type ImageKind, type ImageRecord } from '../../domain/image.js';

/** The wire shapes of §5: create response, single image, list. */

export function presentCreated(image: ImageRecord, requestUrl: string): Record<string, unknown> {
  return { [image.kind]: { ...imageMetadata(image), href: `${stripSlash(requestUrl)}/${image.id}` } };
}

export function presentList(kind: ImageKind, ids: readonly string[], requestUrl: string): Record<string, unknown> {
  const base = stripSlash(requestUrl);
  const type = IMAGE_CLASS[kind];
  return { [IMAGE_COLLECTION[kind]]: ids.map((id) => ({ [kind]: { _type: type, id, href: `${base}/${id}` } })) };
}

/**
 * presentList's JSON text, written directly: lists can hold tens of thousands of images and ids are
 * UUIDs we generate, so only the base URL needs escaping (same bytes as JSON.stringify(presentList)).
 */
export function listJson(kind: ImageKind, ids: readonly string[], requestUrl: string): string {
  const prefix = `{"${kind}":{"_type":"${IMAGE_CLASS[kind]}","id":"`;
  const href = JSON.stringify(`${stripSlash(requestUrl)}/`).slice(1, -1);
  const items = ids.map((id) => `${prefix}${id}","href":"${href}${id}"}}`);
  return `{"${IMAGE_COLLECTION[kind]}":[${items.join(',')}]}`;
}

/** The images a single GET refers to: child ids (of the next kind down) and the parent record. */
export interface Related { children: readonly string[]; parent?: ImageRecord }

/** Single GET: metadata minus base/target ids, plus relation objects with the KEEP double nesting (D14). */
export function presentImage(image: ImageRecord, requestUrl: string, apiRoot: string, related: Related): Record<string, unknown> {
  const { base_image_id: _b, target_image_id: _t, ...meta } = imageMetadata(image);
  const body: Record<string, unknown> = { ...meta, href: requestUrl };
  const ref = (kind: ImageKind, id: string) => ({ _type: IMAGE_CLASS[kind], id, href: `${apiRoot}/${IMAGE_COLLECTION[kind]}/${id}` });
  const refList = (kind: ImageKind) => ({
    [IMAGE_COLLECTION[kind]]: related.children.map((id) => ({ [kind]: ref(kind, id) })),
  });
  if (image.kind === 'base_image') {
    body.target_images = refList('target_image');
  } else if (image.kind === 'target_image') {
    body.base_image = related.parent ? ref(related.parent.kind, related.parent.id) : null;
    body.provider_images = refList('provider_image');
  } else {
    body.target_image = related.parent ? ref(related.parent.kind, related.parent.id) : null;
  }
  return { [image.kind]: body };
}

export function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
