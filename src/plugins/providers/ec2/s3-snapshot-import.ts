import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CreateTagsCommand, DescribeImportSnapshotTasksCommand, ImportSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { AppError } from '../../../domain/errors.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { TAG_TARGET_IMAGE } from './ebs-snapshot-upload.js';

export interface ImportRequest {
  s3: S3Client;
  ec2: EC2Client;
  path: string;
  bucket: string;
  targetImageId: string;
  /** The provider image: makes ImportSnapshot's client token unique per push. */
  pushId: string;
  description: string;
  concurrency: number;
  stallMinutes: number;
  /** Longest pause between DescribeImportSnapshotTasks polls (they start at 1 s and grow 1.5x). */
  pollSeconds?: number;
  signal: AbortSignal;
  log(line: string): void;
  progress(percent: number, activity: string): void;
}

const MIN_PART = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** The staging object of a target image: one name per image, so a retried push finds its upload. */
export function stagingKey(targetImageId: string): string {
  return `imagefactory/${targetImageId}.raw`;
}

/**
 * The optional path: the raw disk uploaded to S3 (multipart, `concurrency` parts in flight), then
 * EC2 ImportSnapshot from that object, polled until the task completes. A task whose progress and
 * status do not change for `stallMinutes` fails as stalled. A staging object already holding this
 * target image (same size, tagged with its id) is not uploaded again; it is deleted once the
 * snapshot exists.
 */
export async function importSnapshotFromS3(req: ImportRequest): Promise<{ snapshotId: string; bytesSent: number }> {
  const size = (await stat(req.path)).size;
  const key = stagingKey(req.targetImageId);
  const where = `s3://${req.bucket}/${key}`;
  let bytesSent = 0;
  const existing = await req.s3.send(new HeadObjectCommand({ Bucket: req.bucket, Key: key }), { abortSignal: req.signal }).catch((e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
    if (e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404) return undefined;
    throw e;
  });
  if (existing && existing.ContentLength === size && existing.Metadata?.['imagefactory-target-image-id'] === req.targetImageId) {
    req.log(`${where} already holds this target image (${formatBytes(size)}) from an earlier push; not uploading it again`);
    req.progress(60, 'Staging object already uploaded');
  } else {
    const partSize = Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024);
    req.log(`Uploading ${formatBytes(size)} to ${where} (${formatBytes(partSize)} parts, ${req.concurrency} at a time)`);
    const progress = new ByteProgress(size, req.progress, `Uploading to ${where}`, { from: 5, to: 60 });
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const upload = new Upload({
        client: req.s3,
        queueSize: req.concurrency,
        partSize,
        leavePartsOnError: false,
        abortController: controller,
        params: { Bucket: req.bucket, Key: key, Body: createReadStream(req.path), ContentType: 'application/octet-stream', Metadata: { 'imagefactory-target-image-id': req.targetImageId } },
      });
      let last = 0;
      upload.on('httpUploadProgress', (p) => { const loaded = p.loaded ?? 0; if (loaded > last) { progress.add(loaded - last); last = loaded; } });
      await upload.done();
      bytesSent = size;
    } finally {
      req.signal.removeEventListener('abort', onAbort);
    }
  }

  const task = await req.ec2.send(new ImportSnapshotCommand({
    Description: req.description,
    DiskContainer: { Format: 'RAW', Description: req.description, UserBucket: { S3Bucket: req.bucket, S3Key: key } },
    ClientToken: `imagefactory-${req.pushId}`,
    TagSpecifications: [{ ResourceType: 'import-snapshot-task', Tags: [{ Key: TAG_TARGET_IMAGE, Value: req.targetImageId }] }],
  }), { abortSignal: req.signal });
  const taskId = task.ImportTaskId!;
  req.log(`ImportSnapshot task ${taskId} started from ${where}`);
  const snapshotId = await waitForImport(req, taskId);
  await req.ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: TAG_TARGET_IMAGE, Value: req.targetImageId }] }), { abortSignal: req.signal });
  await req.s3.send(new DeleteObjectCommand({ Bucket: req.bucket, Key: key })).then(
    () => req.log(`Deleted the staging object ${where}`),
    (e: Error) => req.log(`Could not delete the staging object ${where}: ${e.name}`),
  );
  return { snapshotId, bytesSent };
}

/** Polls DescribeImportSnapshotTasks until completed; fails on deleted/error states or a stall. */
async function waitForImport(req: ImportRequest, taskId: string): Promise<string> {
  const maxPollMs = (req.pollSeconds ?? 15) * 1000;
  let pollMs = 1000;
  let lastChange = Date.now();
  let lastSeen = '';
  for (;;) {
    const d = await req.ec2.send(new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [taskId] }), { abortSignal: req.signal });
    const detail = d.ImportSnapshotTasks?.[0]?.SnapshotTaskDetail;
    if (!detail) throw new AppError('PROVIDER_FAILED', `EC2 no longer knows import task ${taskId}`);
    const status = detail.Status ?? 'unknown';
    if (status === 'completed' && detail.SnapshotId) return detail.SnapshotId;
    if (status === 'deleted' || status === 'deleting' || status === 'error') {
      throw new AppError('PROVIDER_FAILED', `EC2 import task ${taskId} ended ${status}: ${detail.StatusMessage ?? 'no message'}`);
    }
    const seen = `${status}/${detail.Progress ?? ''}/${detail.StatusMessage ?? ''}`;
    if (seen !== lastSeen) {
      lastSeen = seen;
      lastChange = Date.now();
      const pct = Number(detail.Progress ?? 0);
      req.progress(60 + (Number.isFinite(pct) ? pct : 0) * 0.3, `Importing snapshot: ${status} ${detail.Progress ?? 0}% ${detail.StatusMessage ?? ''}`.trim());
    } else if (Date.now() - lastChange > req.stallMinutes * 60_000) {
      throw new AppError('PROVIDER_FAILED', `EC2 import task ${taskId} stalled: no progress for ${req.stallMinutes} minutes (${status} ${detail.Progress ?? 0}% ${detail.StatusMessage ?? ''})`.trim());
    }
    await sleep(pollMs, undefined, { signal: req.signal });
    pollMs = Math.min(maxPollMs, pollMs * 1.5);
  }
}
