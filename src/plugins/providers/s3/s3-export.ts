import { setMaxListeners } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { awsClientConfig } from '../aws/aws-client-config.js';
import { awsSecrets, readAwsCredentials, type AwsCredentials } from '../aws/aws-credentials.js';
import { awsFailure } from '../aws/aws-failure.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { withRetry } from '../shared/retry.js';
import { objectKey, readS3Location, splitS3Url, type S3Location } from './s3-location.js';

const MIN_PART = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;
const META_TARGET = 'imagefactory-target-image-id';

export function checkS3Export(provider: unknown, credentials: unknown): string[] {
  return [...readS3Location(provider).problems, ...readAwsCredentials(credentials, 's3').problems];
}

function readAll(provider: unknown, credentials: unknown): { location: S3Location; credentials: AwsCredentials } {
  const problems = checkS3Export(provider, credentials);
  if (problems.length) throw new AppError('REQUEST_INVALID', `provider: ${problems.join('; ')}`);
  return { location: readS3Location(provider).location!, credentials: readAwsCredentials(credentials, 's3').credentials! };
}

function client(l: S3Location, c: AwsCredentials): S3Client {
  return new S3Client({ ...awsClientConfig(l.region, c, l.endpoint), forcePathStyle: l.forcePathStyle });
}

/**
 * Puts the target image body into an S3-compatible bucket: streamed from disk in a multipart
 * upload (parts of at least 8 MiB, `concurrency` in flight, each retried by the SDK; a failed
 * upload is aborted so no parts are left behind, then tried again from the start). An object that
 * already holds this target image (same size, tagged with its id) is kept: a retried push is a no-op.
 */
export async function pushToS3(ctx: PushContext): Promise<PushResult> {
  const { location, credentials } = readAll(ctx.provider, ctx.credentials);
  const secrets = awsSecrets(credentials);
  setMaxListeners(4 * location.concurrency + 16, ctx.signal);
  const s3 = client(location, credentials);
  const key = objectKey(location, ctx.targetImage.id, ctx.targetImage.format);
  const url = `s3://${location.bucket}/${key}`;
  const size = (await stat(ctx.targetImage.bodyPath)).size;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: ctx.signal }).catch((e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
      if (e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw e;
    });
    let bytesSent = 0;
    if (head && head.ContentLength === size && head.Metadata?.[META_TARGET] === ctx.targetImage.id) {
      ctx.log(`${url} already holds this target image (${formatBytes(size)}); not uploading it again`);
    } else {
      const partSize = Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024);
      ctx.log(`Uploading ${formatBytes(size)} to ${url} (${formatBytes(partSize)} parts, ${location.concurrency} at a time)`);
      await withRetry(async (attempt) => {
        const progress = new ByteProgress(size, ctx.progress, `Uploading to ${url}`, { from: 2, to: 98 });
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          if (attempt > 1) ctx.log(`Upload attempt ${attempt}`);
          const upload = new Upload({
            client: s3, queueSize: location.concurrency, partSize, leavePartsOnError: false, abortController: controller,
            params: {
              Bucket: location.bucket, Key: key, Body: createReadStream(ctx.targetImage.bodyPath), ContentType: 'application/octet-stream',
              Metadata: { [META_TARGET]: ctx.targetImage.id, 'imagefactory-format': ctx.targetImage.format ?? 'unknown' },
            },
          });
          let last = 0;
          upload.on('httpUploadProgress', (p) => { const loaded = p.loaded ?? 0; if (loaded > last) { progress.add(loaded - last); last = loaded; } });
          await upload.done();
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
        }
      }, { signal: ctx.signal, attempts: 3, onRetry: (e) => ctx.log(`Upload failed (${(e as Error).name}); retrying`) });
      bytesSent = size;
      const stored = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: ctx.signal });
      if (stored.ContentLength !== size) throw new AppError('PROVIDER_FAILED', `S3 stored ${stored.ContentLength} bytes at ${url}; ${size} were sent`);
    }
    ctx.progress(100, `Stored at ${url}`);
    return {
      identifierOnProvider: url,
      providerAccountIdentifier: credentials.accountNumber ?? null,
      properties: { s3_bucket: location.bucket, s3_key: key, s3_region: location.region, s3_bytes_sent: bytesSent, ...(location.endpoint ? { s3_endpoint: location.endpoint } : {}) },
    };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    throw awsFailure('S3', e, secrets);
  }
}

/** Deletes the object named by the identifier (`s3://bucket/key`); a missing object counts as deleted. */
export async function deleteFromS3(ctx: DeleteFromProviderContext): Promise<void> {
  const { location, credentials } = readAll(ctx.provider, ctx.credentials);
  const where = splitS3Url(ctx.identifierOnProvider);
  if (!where || !where.key) throw new AppError('PROVIDER_FAILED', `"${ctx.identifierOnProvider}" is not an s3://bucket/key identifier`);
  try {
    await client(location, credentials).send(new DeleteObjectCommand({ Bucket: where.bucket, Key: where.key }), { abortSignal: ctx.signal });
    ctx.log(`Deleted ${ctx.identifierOnProvider}`);
  } catch (e) {
    throw awsFailure('S3 delete', e, awsSecrets(credentials));
  }
}
