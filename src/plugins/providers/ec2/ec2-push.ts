import { setMaxListeners } from 'node:events';
import { EBSClient } from '@aws-sdk/client-ebs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { AppError, isAppError } from '../../../domain/errors.js';
import { awsClientConfig } from '../aws/aws-client-config.js';
import { awsSecrets, readAwsCredentials, type AwsCredentials } from '../aws/aws-credentials.js';
import { awsFailure } from '../aws/aws-failure.js';
import { formatBytes } from '../../../domain/format-bytes.js';
import { copiesOf, copyAmi, deleteAmi, describeAmi, recordCopies, registerAmi, shareAmi } from './ami-lifecycle.js';
import { uploadToEbsSnapshot } from './ebs-snapshot-upload.js';
import { normaliseArch, readEc2Provider, type Ec2Provider } from './ec2-provider.js';
import { readEc2PushParameters, type Ec2PushParameters } from './ec2-parameters.js';
import { importSnapshotFromS3 } from './s3-snapshot-import.js';

/** Problems with an EC2 provider, credentials and push parameters, for a 400 at POST. */
export function checkEc2(provider: unknown, credentials: unknown, parameters: Record<string, unknown> = {}): string[] {
  const p = readEc2Provider(provider);
  const c = readAwsCredentials(credentials, 'ec2');
  const params = readEc2PushParameters(parameters);
  const problems = [...p.problems, ...c.problems, ...params.problems];
  if (!problems.length && params.parameters!.upload === 's3-import' && !params.parameters!.importBucket && !p.provider!.importBucket) {
    problems.push('ec2_upload=s3-import needs a bucket: parameter ec2_import_bucket or the provider\'s import_bucket');
  }
  return problems;
}

function readAll(provider: unknown, credentials: unknown, parameters: Record<string, unknown> = {}) {
  const problems = checkEc2(provider, credentials, parameters);
  if (problems.length) throw new AppError('REQUEST_INVALID', `provider: ${problems.join('; ')}`);
  return { provider: readEc2Provider(provider).provider!, credentials: readAwsCredentials(credentials).credentials!, parameters: readEc2PushParameters(parameters).parameters! };
}

function clients(p: Ec2Provider, c: AwsCredentials, region = p.region) {
  return {
    ec2: new EC2Client(awsClientConfig(region, c, p.endpoints.ec2)),
    ebs: new EBSClient(awsClientConfig(region, c, p.endpoints.ebs ?? p.endpoints.ec2)),
    s3: new S3Client({ ...awsClientConfig(region, c, p.endpoints.s3), forcePathStyle: p.s3ForcePathStyle }),
  };
}

/** AMI names allow letters, digits and ( ) [ ] space . / ' @ _ -, 3 to 128 of them. */
function amiName(ctx: PushContext, p: Ec2Provider): string {
  if (p.amiName) return p.amiName;
  const base = (ctx.targetImage.template?.name ?? 'imagefactory').replace(/[^A-Za-z0-9()[\] ./'@_-]/g, '-').slice(0, 80);
  return `${base}-${ctx.imageId}`;
}

/**
 * Pushes an `ec2` target image (a raw disk) to EC2 and registers it as an HVM AMI.
 * Default: EBS direct (see uploadToEbsSnapshot); ec2_upload=s3-import stages the disk in S3 and
 * imports it. Then RegisterImage, optional launch permissions and copies to other regions.
 * `identifier_on_provider` is the AMI id, `provider_account_identifier` the account that owns it.
 * A failure deregisters an AMI it registered; a completed snapshot stays for a retry to reuse.
 */
export async function pushToEc2(ctx: PushContext): Promise<PushResult> {
  const { provider: p, credentials: c, parameters: params } = readAll(ctx.provider, ctx.credentials, ctx.parameters);
  const secrets = awsSecrets(c);
  if (ctx.targetImage.format && ctx.targetImage.format !== 'raw') {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} is ${ctx.targetImage.format}; EC2 pushes take the ec2 target's raw disk`);
  }
  if (ctx.targetImage.properties.ec2_flatten === true) {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} is a flattened root filesystem (ec2_flatten=true), which boots only as a paravirtual AMI; EC2 no longer offers those: build the ec2 target with ec2_flatten=false`);
  }
  // Every request in flight listens on the build signal.
  setMaxListeners(4 * params.concurrency + 16, ctx.signal);
  const { ec2, ebs, s3 } = clients(p, c);
  const name = amiName(ctx, p);
  // EC2 takes at most 255 characters; a template's description may be longer.
  const description = (p.amiDescription ?? ctx.targetImage.template?.description ?? `Image Factory target image ${ctx.targetImage.id}`).slice(0, 255);
  const architecture = p.architecture ?? normaliseArch(ctx.targetImage.template?.os.arch ?? '') ?? 'x86_64';
  let stage = 'snapshot';
  let imageId: string | undefined;
  try {
    ctx.progress(1, `Pushing to EC2 ${p.region} (${params.upload})`);
    let snapshotId: string;
    let volumeSizeGiB: number;
    let ownerId: string | undefined;
    const properties: Record<string, unknown> = { ec2_region: p.region, ec2_upload: params.upload };
    if (params.upload === 'ebs-direct') {
      const up = await uploadToEbsSnapshot({
        ebs, ec2, exec: ctx.exec, path: ctx.targetImage.bodyPath, targetImageId: ctx.targetImage.id,
        description, tags: p.tags, concurrency: params.concurrency, signal: ctx.signal, log: ctx.log, progress: ctx.progress, range: { from: 3, to: 85 },
      });
      ({ snapshotId, volumeSizeGiB, ownerId } = up);
      Object.assign(properties, { ec2_snapshot_reused: up.reused, ec2_bytes_sent: up.bytesSent, ec2_bytes_allocated: up.bytesAllocated, ec2_blocks_sent: up.blocksSent });
      if (!up.reused) ctx.log(`Snapshot ${snapshotId} completed: ${up.blocksSent} blocks, ${formatBytes(up.bytesSent)} sent for ${formatBytes(up.bytesAllocated)} allocated`);
    } else {
      stage = 'import';
      const bucket = (params.importBucket ?? p.importBucket)!;
      const imported = await importSnapshotFromS3({
        s3, ec2, path: ctx.targetImage.bodyPath, bucket, targetImageId: ctx.targetImage.id, pushId: ctx.imageId, description,
        concurrency: params.concurrency, stallMinutes: params.importStallMinutes, signal: ctx.signal, log: ctx.log, progress: ctx.progress,
      });
      snapshotId = imported.snapshotId;
      volumeSizeGiB = 0;
      Object.assign(properties, { ec2_bytes_sent: imported.bytesSent, ec2_import_bucket: bucket });
    }
    properties.ec2_snapshot_id = snapshotId;

    stage = 'register';
    ctx.progress(88, `Registering AMI ${name}`);
    imageId = await registerAmi(ec2, {
      name, description, architecture, bootMode: p.bootMode, enaSupport: p.enaSupport, rootDeviceName: p.rootDeviceName,
      volumeType: p.volumeType, snapshotId, volumeSizeGiB: volumeSizeGiB || undefined, targetImageId: ctx.targetImage.id,
      tags: { ...p.tags, 'imagefactory:provider-image-id': ctx.imageId },
    }, ctx.signal);
    ctx.log(`Registered AMI ${imageId} (${name}, ${architecture}${p.bootMode ? `, ${p.bootMode}` : ''}) from snapshot ${snapshotId}; it is available`);
    ownerId ??= (await describeAmi(ec2, imageId, ctx.signal))?.OwnerId;

    stage = 'share';
    if (params.shareAccounts.length || params.public) {
      await shareAmi(ec2, imageId, params.shareAccounts, params.public, ctx.signal);
      ctx.log(`Launch permission on ${imageId} for ${[...params.shareAccounts, ...(params.public ? ['everyone'] : [])].join(', ')}`);
    }
    stage = 'copy';
    const copies: Record<string, string> = {};
    for (const region of params.copyRegions.filter((r) => r !== p.region)) {
      ctx.progress(92, `Copying ${imageId} to ${region}`);
      const target = clients(p, c, region).ec2;
      copies[region] = await copyAmi(target, p.region, imageId, name, description, ctx.signal);
      // Recorded as each copy lands, so a DELETE after a failed later copy still finds this one.
      await recordCopies(ec2, imageId, copies, ctx.signal);
      if (params.shareAccounts.length || params.public) await shareAmi(target, copies[region], params.shareAccounts, params.public, ctx.signal);
      ctx.log(`Copied ${imageId} to ${region} as ${copies[region]}`);
    }
    if (Object.keys(copies).length) properties.ec2_copies = copies;
    ctx.progress(100, `AMI ${imageId} available in ${p.region}`);
    return { identifierOnProvider: imageId, providerAccountIdentifier: c.accountNumber ?? ownerId ?? c.accessKeyId, properties };
  } catch (e) {
    if (imageId) {
      // Not bound to the build signal: a cancelled push must not leave its AMI behind.
      await deleteEverywhere(p, c, imageId, ctx.log).catch((err: Error) => ctx.log(`Could not remove AMI ${imageId} after the failure: ${err.name}`));
    }
    if (ctx.signal.aborted) throw e;
    throw isAppError(e) && e.code !== 'PROVIDER_FAILED' ? e : awsFailure(`EC2 ${stage}`, e, secrets);
  }
}

async function deleteEverywhere(p: Ec2Provider, c: AwsCredentials, imageId: string, log: (l: string) => void, signal?: AbortSignal): Promise<void> {
  const { ec2 } = clients(p, c);
  const copies = copiesOf(await describeAmi(ec2, imageId, signal));
  for (const [region, copyId] of Object.entries(copies)) await deleteAmi(clients(p, c, region).ec2, copyId, (l) => log(`${region}: ${l}`), signal);
  await deleteAmi(ec2, imageId, log, signal);
}

/** Deregisters the AMI (and its copies) and deletes their snapshots. */
export async function deleteFromEc2(ctx: DeleteFromProviderContext): Promise<void> {
  const { provider: p, credentials: c } = readAll(ctx.provider, ctx.credentials);
  try {
    await deleteEverywhere(p, c, ctx.identifierOnProvider, ctx.log, ctx.signal);
  } catch (e) {
    throw awsFailure('EC2 delete', e, awsSecrets(c));
  }
}
