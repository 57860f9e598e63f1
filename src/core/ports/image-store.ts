import type { ImageKind, ImageRecord, ImageStatus } from '../../domain/image.js';

export interface ImageFilter {
  kind?: ImageKind;
  /** Only images in one of these statuses. */
  statuses?: readonly ImageStatus[];
  baseImageId?: string;
  targetImageId?: string;
}

export type ImagePatch = Partial<Omit<ImageRecord, 'id' | 'kind' | 'createdAt'>>;

/** Persistence of image metadata. Every write is atomic; `insertMany` is all-or-nothing. */
export interface ImageStore {
  insertMany(images: readonly ImageRecord[]): Promise<void>;
  get(id: string): Promise<ImageRecord | undefined>;
  /** Stable order: creation time, then id. */
  list(filter?: ImageFilter): Promise<ImageRecord[]>;
  /** Ids only, same order as list(): what collection listings and relation refs need. */
  listIds(filter?: ImageFilter): Promise<string[]>;
  /** Applies the patch and bumps updatedAt; returns the new record, or undefined when the id is unknown. */
  update(id: string, patch: ImagePatch): Promise<ImageRecord | undefined>;
  delete(id: string): Promise<void>;
  /** Finds a COMPLETE base image whose build cache key equals `key`. */
  findCompleteBaseByCacheKey(key: string): Promise<ImageRecord | undefined>;
  setCacheKey(id: string, key: string): Promise<void>;
}
