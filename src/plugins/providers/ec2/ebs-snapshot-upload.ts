import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { CompleteSnapshotCommand, PutSnapshotBlockCommand, StartSnapshotCommand, type EBSClient } from '@aws-sdk/client-ebs';
import { CreateTagsCommand, DeleteSnapshotCommand, DescribeSnapshotsCommand, waitUntilSnapshotCompleted, type EC2Client } from '@aws-sdk/client-ec2';
import type { Exec } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { forEachBounded } from '../shared/bounded-parallel.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { ByteProgress } from '../shared/byte-progress.js';
import { dataExtents, extentBytes, nonZeroBlocks, type Extent } from '../shared/data-blocks.js';
import { withRetry } from '../shared/retry.js';

/** The EBS direct APIs' block size (the docs' 512 KiB; some stand-ins report another). */
export const EBS_BLOCK = 512 * 1024;
const GIB = 1024 ** 3;
export const TAG_TARGET_IMAGE = 'imagefactory:target-image-id';
export const TAG_CONTENT = 'imagefactory:content-sha256';

export interface SnapshotUpload {
  snapshotId: string;
  /** The account owning the snapshot, as EBS reports it. */
  ownerId?: string;
  volumeSizeGiB: number;
  blocksSent: number;
  bytesSent: number;
  /** Bytes holding data in the image (its allocated extents). */
  bytesAllocated: number;
  /** True when a snapshot completed by an earlier push of the same target image was reused. */
  reused: boolean;
}

export interface SnapshotUploadRequest {
  ebs: EBSClient;
  ec2: EC2Client;
  exec: Exec;
  path: string;
  targetImageId: string;
  description: string;
  tags: Record<string, string>;
  concurrency: number;
  signal: AbortSignal;
  log(line: string): void;
  progress(percent: number, activity: string): void;
  /** The slice of the push's percent_complete this upload reports into. */
  range: { from: number; to: number };
}

/**
 * Writes a raw disk straight into a new EBS snapshot with the EBS direct APIs: StartSnapshot,
 * PutSnapshotBlock (SHA256-checksummed) for the non-zero 512 KiB blocks only — holes of the sparse
 * file are never read and all-zero blocks never sent — in parallel with at most `concurrency`
 * blocks in flight, then CompleteSnapshot and a wait until EBS says `completed`.
 *
 * Resumable: the snapshot carries the target image id and, once completed, a checksum of its
 * content (SHA256 over every non-zero block's index and SHA256). A later push of the same target
 * image that finds such a snapshot with the same checksum reuses it instead of uploading again.
 * A snapshot left pending by a failed upload is deleted (EBS cannot list what a pending snapshot holds).
 */
export async function uploadToEbsSnapshot(req: SnapshotUploadRequest): Promise<SnapshotUpload> {
  const size = (await stat(req.path)).size;
  const volumeSizeGiB = Math.max(1, Math.ceil(size / GIB));
  const extents = await dataExtents(req.exec, req.path);
  const bytesAllocated = extentBytes(extents);
  req.log(`Disk: ${formatBytes(size)} (EBS volume of ${volumeSizeGiB} GiB), ${formatBytes(bytesAllocated)} allocated in ${extents.length} extents`);

  const reusable = await findReusable(req, extents, volumeSizeGiB);
  if (reusable) return { ...reusable, volumeSizeGiB, blocksSent: 0, bytesSent: 0, bytesAllocated, reused: true };

  // The SDK retries transient failures of single calls itself; blocks get a second layer below.
  const started = await req.ebs.send(new StartSnapshotCommand({
    VolumeSize: volumeSizeGiB,
    Description: req.description,
    Tags: Object.entries({ ...req.tags, [TAG_TARGET_IMAGE]: req.targetImageId }).map(([Key, Value]) => ({ Key, Value })),
    ClientToken: randomUUID(),
    // Minutes EBS keeps the snapshot pending before it gives up on it.
    Timeout: 24 * 60,
  }), { abortSignal: req.signal });
  const snapshotId = started.SnapshotId!;
  req.log(`Started EBS snapshot ${snapshotId} (${volumeSizeGiB} GiB); writing the non-zero ${EBS_BLOCK / 1024} KiB blocks, ${req.concurrency} at a time`);
  try {
    const digests = new Map<number, Buffer>();
    const progress = new ByteProgress(Math.max(1, bytesAllocated), req.progress, 'Writing blocks into the EBS snapshot', req.range);
    await forEachBounded(nonZeroBlocks(req.path, EBS_BLOCK, extents, req.signal), req.concurrency, async (block) => {
      const data = block.data.length === EBS_BLOCK ? block.data : padBlock(block.data);
      const digest = createHash('sha256').update(data).digest();
      await withRetry(() => req.ebs.send(new PutSnapshotBlockCommand({
        SnapshotId: snapshotId, BlockIndex: block.index, BlockData: data, DataLength: data.length,
        Checksum: digest.toString('base64'), ChecksumAlgorithm: 'SHA256',
      }), { abortSignal: req.signal }), { signal: req.signal, attempts: 3, onRetry: (e) => req.log(`Retrying block ${block.index}: ${(e as Error).name}`) });
      digests.set(block.index, digest);
      progress.add(block.data.length);
    }, req.signal);
    const blocksSent = digests.size;
    await req.ebs.send(new CompleteSnapshotCommand({ SnapshotId: snapshotId, ChangedBlocksCount: blocksSent }), { abortSignal: req.signal });
    req.log(`Sent ${blocksSent} blocks (${formatBytes(blocksSent * EBS_BLOCK)}); waiting for EBS to complete snapshot ${snapshotId}`);
    const completed = await waitForSnapshot(req.ec2, snapshotId, req.signal);
    // Only a completed snapshot carries the content tag: that is what makes it reusable.
    await req.ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: TAG_CONTENT, Value: contentChecksum(digests) }] }), { abortSignal: req.signal });
    return { snapshotId, ownerId: completed.OwnerId ?? started.OwnerId, volumeSizeGiB, blocksSent, bytesSent: blocksSent * EBS_BLOCK, bytesAllocated, reused: false };
  } catch (e) {
    // Not bound to the (maybe aborted) build signal: the half-written snapshot must go.
    await req.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })).then(
      () => req.log(`Deleted the unfinished snapshot ${snapshotId}`),
      (err: Error) => req.log(`Could not delete the unfinished snapshot ${snapshotId}: ${err.name}`),
    );
    throw e;
  }
}

function padBlock(data: Buffer): Buffer {
  const out = Buffer.alloc(EBS_BLOCK);
  data.copy(out);
  return out;
}

/** SHA256 over (8-byte block index, block SHA256) of every non-zero block, in index order. */
function contentChecksum(digests: Map<number, Buffer>): string {
  const h = createHash('sha256');
  const index = Buffer.alloc(8);
  for (const i of [...digests.keys()].sort((a, b) => a - b)) {
    index.writeBigUInt64BE(BigInt(i));
    h.update(index).update(digests.get(i)!);
  }
  return h.digest('base64');
}

async function localChecksum(req: SnapshotUploadRequest, extents: readonly Extent[]): Promise<string> {
  const digests = new Map<number, Buffer>();
  for await (const block of nonZeroBlocks(req.path, EBS_BLOCK, extents, req.signal)) {
    const data = block.data.length === EBS_BLOCK ? block.data : padBlock(block.data);
    digests.set(block.index, createHash('sha256').update(data).digest());
  }
  return contentChecksum(digests);
}

/** A completed snapshot of this target image with the same content, from an earlier push. */
async function findReusable(req: SnapshotUploadRequest, extents: readonly Extent[], volumeSizeGiB: number): Promise<{ snapshotId: string; ownerId?: string } | null> {
  const found = await req.ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ['self'],
    Filters: [{ Name: `tag:${TAG_TARGET_IMAGE}`, Values: [req.targetImageId] }, { Name: 'status', Values: ['completed'] }],
  }), { abortSignal: req.signal });
  const candidates = (found.Snapshots ?? []).filter((s) => s.State === 'completed' && s.VolumeSize === volumeSizeGiB && s.Tags?.some((t) => t.Key === TAG_CONTENT));
  if (!candidates.length) return null;
  req.log(`Found ${candidates.length} completed snapshot(s) of this target image from an earlier push; comparing content checksums`);
  const mine = await localChecksum(req, extents);
  const match = candidates.find((s) => s.Tags!.some((t) => t.Key === TAG_CONTENT && t.Value === mine));
  if (!match) { req.log('No earlier snapshot holds the same content; uploading'); return null; }
  req.log(`Reusing snapshot ${match.SnapshotId}: an earlier push of this target image completed it with the same content`);
  req.progress(req.range.to, `Reusing EBS snapshot ${match.SnapshotId}`);
  return { snapshotId: match.SnapshotId!, ownerId: match.OwnerId };
}

/** Polls until EBS reports the snapshot completed; an `error` state fails with EBS's message. */
export async function waitForSnapshot(ec2: EC2Client, snapshotId: string, signal: AbortSignal) {
  try {
    await waitUntilSnapshotCompleted({ client: ec2, maxWaitTime: 6 * 3600, minDelay: 5, maxDelay: 60, abortSignal: signal }, { SnapshotIds: [snapshotId] });
  } catch (e) {
    const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })).catch(() => undefined);
    const s = described?.Snapshots?.[0];
    if (s?.State === 'error') throw new AppError('PROVIDER_FAILED', `EBS snapshot ${snapshotId} failed: ${s.StateMessage ?? 'state error'}`);
    throw e;
  }
  const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), { abortSignal: signal });
  return described.Snapshots![0];
}
