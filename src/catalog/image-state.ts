import type { ImageStatus } from '../domain/image.js';

/**
 * The catalog keeps a Glance-like state per image (catalog-apis.md §1.5, §4) so each API can derive its
 * own vocabulary and Nova's `status` filter can compare the raw backend state.
 */
export const IMAGE_STATES = ['queued', 'saving', 'active', 'killed', 'pending_delete', 'deleted'] as const;
export type ImageState = (typeof IMAGE_STATES)[number];

/**
 * Factory status → catalog state (§1.5 decision table).
 * DELETEFAILED (our decision): `killed`. The image's files may be partly removed, so it must not look
 * usable (not ACTIVE); Nova shows it as ERROR, Hostway and Foreman hide it, and a Nova DELETE retries the
 * factory delete. NEW/PENDING are queued, BUILDING is saving.
 */
export const FACTORY_STATE: Record<ImageStatus, ImageState> = {
  NEW: 'queued',
  PENDING: 'queued',
  BUILDING: 'saving',
  COMPLETE: 'active',
  FAILED: 'killed',
  DELETING: 'pending_delete',
  DELETED: 'deleted',
  DELETEFAILED: 'killed',
};

export interface NovaStatus { status: string; progress: number }

export function novaStatus(state: string): NovaStatus {
  switch (state) {
    case 'active': return { status: 'ACTIVE', progress: 100 };
    case 'queued': return { status: 'SAVING', progress: 25 };
    case 'saving': return { status: 'SAVING', progress: 50 };
    case 'deleted': case 'pending_delete': return { status: 'DELETED', progress: 0 };
    case 'killed': return { status: 'ERROR', progress: 0 };
    default: return { status: 'UNKNOWN', progress: 0 };
  }
}

/** Hostway knows ACTIVE, SAVING and DELETED only; failed images are hidden (§4). */
export const HOSTWAY_STATES: Record<string, readonly ImageState[]> = {
  ACTIVE: ['active'],
  SAVING: ['queued', 'saving'],
  DELETED: ['pending_delete', 'deleted'],
};

export function hostwayStatus(state: string): string | undefined {
  return Object.entries(HOSTWAY_STATES).find(([, states]) => (states as readonly string[]).includes(state))?.[0];
}

/** Foreman lists usable images only. */
export const FOREMAN_STATES: readonly ImageState[] = ['active'];
