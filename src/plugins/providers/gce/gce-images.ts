import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalOperationsClient, ImagesClient, protos } from '@google-cloud/compute';
import { AppError } from '../../../domain/errors.js';
import { isTransientError, withRetry } from '../shared/retry.js';

type Image = protos.google.cloud.compute.v1.IImage;
type Operation = protos.google.cloud.compute.v1.IOperation;

/** gRPC codes gax gives REST failures worth another try: DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE. */
const TRANSIENT_GAX_CODES = new Set([4, 13, 14]);
export function isTransientGoogleError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'number' && code < 100) return TRANSIENT_GAX_CODES.has(code);
  return isTransientError(e);
}

export interface ComputeImages {
  /** Attempts per call (the first included) for transient failures. */
  attempts?: number;
  images: ImagesClient;
  operations: GlobalOperationsClient;
  signal: AbortSignal;
  log(line: string): void;
}

/** The image, or null when Compute has none by that name. */
export async function getImage(c: ComputeImages, project: string, image: string): Promise<Image | null> {
  try {
    const [img] = await withRetry(() => c.images.get({ project, image }), { signal: c.signal, isTransient: isTransientGoogleError, attempts: c.attempts });
    return img;
  } catch (e) {
    if ((e as { code?: number }).code === 5) return null; // NOT_FOUND
    throw e;
  }
}

/**
 * images.insert, then waits on the global operation until DONE; an operation that ends with an
 * `error` fails with Compute's own messages. The requestId makes the retried insert idempotent
 * (Compute answers a repeated requestId with the first operation).
 */
export async function insertImage(c: ComputeImages, project: string, image: Image): Promise<Operation> {
  const requestId = randomUUID();
  const [op] = await withRetry(() => c.images.insert({ project, imageResource: image, requestId }), { signal: c.signal, isTransient: isTransientGoogleError, attempts: c.attempts });
  const started = op.latestResponse as Operation;
  c.log(`Compute accepted images.insert of ${image.name}: operation ${started.name} (${started.status})`);
  return waitForOperation(c, project, started);
}

export async function deleteImage(c: ComputeImages, project: string, image: string): Promise<Operation> {
  const requestId = randomUUID();
  const [op] = await withRetry(() => c.images.delete({ project, image, requestId }), { signal: c.signal, isTransient: isTransientGoogleError, attempts: c.attempts });
  const started = op.latestResponse as Operation;
  c.log(`Compute accepted images.delete of ${image}: operation ${started.name}`);
  return waitForOperation(c, project, started);
}

/** Polls globalOperations.get with backoff (0.25 s doubling to 10 s) until the operation is DONE. */
export async function waitForOperation(c: ComputeImages, project: string, op: Operation): Promise<Operation> {
  let current = op;
  let delay = 250;
  let lastStatus = String(current.status);
  while (String(current.status) !== 'DONE') {
    await sleep(delay, undefined, { signal: c.signal });
    delay = Math.min(10_000, delay * 2);
    [current] = await withRetry(() => c.operations.get({ project, operation: String(op.name) }), { signal: c.signal, isTransient: isTransientGoogleError, attempts: c.attempts });
    if (String(current.status) !== lastStatus) {
      lastStatus = String(current.status);
      c.log(`Operation ${op.name}: ${lastStatus}${current.progress ? ` (${current.progress}%)` : ''}`);
    }
  }
  const errors = current.error?.errors ?? [];
  if (errors.length) {
    const detail = errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`.trim()).join('; ');
    throw new AppError('PROVIDER_FAILED', `Compute Engine operation ${current.operationType ?? ''} ${op.name} failed${current.httpErrorStatusCode ? ` (HTTP ${current.httpErrorStatusCode})` : ''}: ${detail}`.replace(/\s+/g, ' '));
  }
  return current;
}
