import {
  CopyImageCommand, CreateTagsCommand, DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand,
  ModifyImageAttributeCommand, RegisterImageCommand, waitUntilImageAvailable, type EC2Client, type Image,
} from '@aws-sdk/client-ec2';
import type { Architecture, BootMode } from './ec2-provider.js';
import { TAG_TARGET_IMAGE } from './ebs-snapshot-upload.js';

export const TAG_SNAPSHOT = 'imagefactory:snapshot-id';
export const TAG_COPIES = 'imagefactory:copies';
export const TAG_SOURCE = 'imagefactory:source-image-id';

export interface AmiRequest {
  name: string;
  description: string;
  architecture: Architecture;
  bootMode?: BootMode;
  enaSupport: boolean;
  rootDeviceName: string;
  volumeType: string;
  snapshotId: string;
  /** The root volume's size; absent = the snapshot's. */
  volumeSizeGiB?: number;
  targetImageId: string;
  tags: Record<string, string>;
}

const WAIT = { maxWaitTime: 3 * 3600, minDelay: 5, maxDelay: 60 };

/** RegisterImage (HVM, EBS root from the snapshot), tags, and a wait until the AMI is available. */
export async function registerAmi(ec2: EC2Client, r: AmiRequest, signal: AbortSignal): Promise<string> {
  const registered = await ec2.send(new RegisterImageCommand({
    Name: r.name,
    Description: r.description,
    Architecture: r.architecture,
    VirtualizationType: 'hvm',
    RootDeviceName: r.rootDeviceName,
    BootMode: r.bootMode,
    EnaSupport: r.enaSupport,
    BlockDeviceMappings: [{
      DeviceName: r.rootDeviceName,
      Ebs: { SnapshotId: r.snapshotId, VolumeSize: r.volumeSizeGiB, VolumeType: r.volumeType as never, DeleteOnTermination: true },
    }],
  }), { abortSignal: signal });
  const imageId = registered.ImageId!;
  // Tagged after registration (not TagSpecifications) so every EC2-compatible endpoint keeps them.
  await ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: tagList({ ...r.tags, Name: r.tags.Name ?? r.name, [TAG_TARGET_IMAGE]: r.targetImageId, [TAG_SNAPSHOT]: r.snapshotId }) }), { abortSignal: signal });
  await waitUntilImageAvailable({ client: ec2, ...WAIT, abortSignal: signal }, { ImageIds: [imageId] });
  return imageId;
}

/** Launch permissions for accounts (and everyone, when public). */
export async function shareAmi(ec2: EC2Client, imageId: string, accounts: string[], isPublic: boolean, signal: AbortSignal): Promise<void> {
  const add = [...accounts.map((UserId) => ({ UserId })), ...(isPublic ? [{ Group: 'all' as const }] : [])];
  if (!add.length) return;
  await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: add } }), { abortSignal: signal });
}

/** CopyImage into another region, waited for; the copy is tagged with its source. */
export async function copyAmi(target: EC2Client, sourceRegion: string, sourceImageId: string, name: string, description: string, signal: AbortSignal): Promise<string> {
  const copied = await target.send(new CopyImageCommand({ SourceRegion: sourceRegion, SourceImageId: sourceImageId, Name: name, Description: description }), { abortSignal: signal });
  const imageId = copied.ImageId!;
  await target.send(new CreateTagsCommand({ Resources: [imageId], Tags: tagList({ Name: name, [TAG_SOURCE]: sourceImageId }) }), { abortSignal: signal });
  await waitUntilImageAvailable({ client: target, ...WAIT, abortSignal: signal }, { ImageIds: [imageId] });
  return imageId;
}

/** Records the copies on the source AMI, so DELETE finds them: `us-west-2=ami-…,eu-west-1=ami-…`. */
export async function recordCopies(ec2: EC2Client, imageId: string, copies: Record<string, string>, signal: AbortSignal): Promise<void> {
  const value = Object.entries(copies).map(([r, id]) => `${r}=${id}`).join(',');
  if (value) await ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: [{ Key: TAG_COPIES, Value: value.slice(0, 256) }] }), { abortSignal: signal });
}

export async function describeAmi(ec2: EC2Client, imageId: string, signal?: AbortSignal): Promise<Image | undefined> {
  try {
    const d = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: signal });
    return d.Images?.[0];
  } catch (e) {
    if ((e as { name?: string }).name === 'InvalidAMIID.NotFound') return undefined;
    throw e;
  }
}

export function tagOf(image: Image | undefined, key: string): string | undefined {
  return image?.Tags?.find((t) => t.Key === key)?.Value;
}

export function copiesOf(image: Image | undefined): Record<string, string> {
  const v = tagOf(image, TAG_COPIES);
  if (!v) return {};
  return Object.fromEntries(v.split(',').map((kv) => kv.split('=')).filter((p) => p.length === 2 && p[0] && p[1]));
}

/**
 * Deregisters an AMI and deletes its snapshots (its block device mappings', and the one it was
 * registered from). A snapshot another AMI still uses is kept (EBS refuses: InvalidSnapshot.InUse).
 * An AMI that no longer exists counts as deleted.
 */
export async function deleteAmi(ec2: EC2Client, imageId: string, log: (l: string) => void, signal?: AbortSignal): Promise<void> {
  const image = await describeAmi(ec2, imageId, signal);
  if (!image) { log(`EC2 has no AMI ${imageId} any more`); return; }
  const snapshots = new Set<string>();
  for (const m of image.BlockDeviceMappings ?? []) if (m.Ebs?.SnapshotId) snapshots.add(m.Ebs.SnapshotId);
  const tagged = tagOf(image, TAG_SNAPSHOT);
  if (tagged) snapshots.add(tagged);
  await ec2.send(new DeregisterImageCommand({ ImageId: imageId }), { abortSignal: signal });
  log(`Deregistered AMI ${imageId}`);
  for (const snapshotId of snapshots) {
    try {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: signal });
      log(`Deleted snapshot ${snapshotId}`);
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      if (name === 'InvalidSnapshot.NotFound') log(`Snapshot ${snapshotId} was already gone`);
      else if (name === 'InvalidSnapshot.InUse') log(`Kept snapshot ${snapshotId}: another AMI still uses it`);
      else throw e;
    }
  }
}

function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
