import { randomUUID } from 'node:crypto';
import { INITIAL_ACTIVITY, type ImageKind, type ImageRecord } from '../../domain/image.js';

/** A fresh record in status NEW, as the original creates it. */
export function newImageRecord(kind: ImageKind, fields: Partial<ImageRecord> = {}): ImageRecord {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    kind,
    status: 'NEW',
    statusDetail: { activity: INITIAL_ACTIVITY, error: null },
    percentComplete: 0,
    template: null,
    icicle: null,
    parameters: {},
    properties: {},
    baseImageId: null,
    targetImageId: null,
    target: null,
    provider: null,
    credentialsRef: null,
    identifierOnProvider: null,
    providerAccountIdentifier: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}
