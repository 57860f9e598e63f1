import { IMAGE_COLLECTION, IMAGE_KINDS, type ImageKind } from '../domain/image.js';
import { HttpError, type ImageFactoryClient } from './http-client.js';

export type ImageDoc = Record<string, unknown> & { id: string; status: string };

/** GET <collection>/<id>, unwrapped. */
export async function getImage(client: ImageFactoryClient, kind: ImageKind, id: string): Promise<ImageDoc> {
  const doc = await client.json<Record<string, ImageDoc>>('GET', `${IMAGE_COLLECTION[kind]}/${encodeURIComponent(id)}`);
  return doc[kind];
}

/**
 * Finds an image by id alone, as the original CLI could (its store was local): the REST API keys
 * images by collection, so each collection is asked in turn.
 */
export async function findImage(client: ImageFactoryClient, id: string, kinds: readonly ImageKind[] = IMAGE_KINDS): Promise<{ kind: ImageKind; image: ImageDoc }> {
  for (const kind of kinds) {
    try {
      return { kind, image: await getImage(client, kind, id) };
    } catch (e) {
      if (!(e instanceof HttpError) || e.status !== 404) throw e;
    }
  }
  throw new HttpError(404, `No image found with id: ${id}`);
}
