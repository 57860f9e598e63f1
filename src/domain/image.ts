/** Image Factory's image model: the three image kinds, their statuses and persisted fields. */

export const IMAGE_STATUSES = [
  'NEW', 'PENDING', 'BUILDING', 'COMPLETE', 'FAILED', 'DELETING', 'DELETED', 'DELETEFAILED',
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

/** Wire names of the three kinds (the JSON wrapper keys). */
export type ImageKind = 'base_image' | 'target_image' | 'provider_image';
export const IMAGE_KINDS: readonly ImageKind[] = ['base_image', 'target_image', 'provider_image'];

/** `_type` values and the class names used in error texts. */
export const IMAGE_CLASS: Record<ImageKind, string> = {
  base_image: 'BaseImage',
  target_image: 'TargetImage',
  provider_image: 'ProviderImage',
};

/** Collection path segments. */
export const IMAGE_COLLECTION: Record<ImageKind, string> = {
  base_image: 'base_images',
  target_image: 'target_images',
  provider_image: 'provider_images',
};

export function kindOfCollection(collection: string): ImageKind | undefined {
  return IMAGE_KINDS.find((k) => IMAGE_COLLECTION[k] === collection);
}

export interface StatusDetail {
  activity: string;
  error: string | null;
}

export interface ImageRecord {
  id: string;
  kind: ImageKind;
  status: ImageStatus;
  statusDetail: StatusDetail;
  /** 0–100, real progress of the current build. */
  percentComplete: number;
  /** The TDL the user gave (or the one synthesised for an import). */
  template: string | null;
  icicle: string | null;
  parameters: Record<string, unknown>;
  properties: Record<string, unknown>;
  baseImageId: string | null;
  targetImageId: string | null;
  target: string | null;
  /** Provider as the client sent it: a string, or an object serialised as JSON text. */
  provider: string | null;
  /** Provider images: the daemon-kept credential set the push uses (never the secrets themselves). */
  credentialsRef: string | null;
  identifierOnProvider: string | null;
  providerAccountIdentifier: string | null;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
}

export const INITIAL_ACTIVITY = 'Initializing image prior to Cloud/OS customization';

export const TERMINAL_STATUSES: ReadonlySet<ImageStatus> = new Set(['COMPLETE', 'FAILED', 'DELETED', 'DELETEFAILED']);

/** Activity texts the original sets at the end of a build (kept for wire compatibility). */
export const COMPLETE_ACTIVITY: Record<ImageKind, string> = {
  base_image: 'Base Image build complete',
  target_image: 'Target Image build complete',
  provider_image: 'Provider Image build complete',
};
export const FAILED_ACTIVITY: Record<ImageKind, string> = {
  base_image: 'Base Image build failed with exception.',
  target_image: 'Target Image build failed with exception',
  provider_image: 'Provider Image build failed with exception',
};
