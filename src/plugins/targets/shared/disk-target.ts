import { rm } from 'node:fs/promises';
import type { TargetImageContext, TargetImageResult } from '../../sdk/index.js';
import type { ConvertRequest, ConvertResult } from '../../formats/converter.js';
import { join } from 'node:path';
import { exportAsRawFile } from '../../../platform/fuse-raw-export.js';
import { convertToRaw } from '../../formats/raw.js';
import { qemuImgInfo } from '../../formats/qemu-img.js';
import { applyCloudEdits, type CloudEdits } from './cloud-edits.js';
import { sparseCopy, workingDiskPath } from './working-copy.js';

export interface DiskTargetPlan {
  /** In-image changes for this cloud; omitted for targets the original left untouched. */
  cloudEdits?: CloudEdits;
  /** Human name of the output, for the activity text ("qcow2", "fixed VHD"...). */
  label: string;
  /** Converts the prepared disk (raw, or a qcow2 overlay: see inputFormat); null means a raw output. */
  convert: ((req: ConvertInput) => Promise<ConvertResult>) | null;
  /** The converter reads the input as a raw file itself (not through qemu-img): edit a copy. */
  needsRawInput?: boolean;
  /** Target image format reported to the core. */
  format: string;
  /** qemu-img driver to read the output with (verifies it and records its virtual size); null for non-disk outputs. */
  qemuFormat: string | null;
  properties?: Record<string, unknown>;
}

/**
 * The shared flow of the VM targets: Image Factory's cloud edits inside the base disk, then the
 * format conversion into ctx.outputPath. The base image is never modified. The edits go into a
 * qcow2 overlay over the base (shown to debugfs as a raw file through a FUSE export), so the
 * conversion reads base + overlay in one pass; where FUSE is unavailable, a private sparse copy of
 * the base is edited instead (one extra pass over the data).
 */
export async function buildDiskTarget(ctx: TargetImageContext, plan: DiskTargetPlan): Promise<TargetImageResult> {
  const properties: Record<string, unknown> = { ...plan.properties };
  const recordEdits = (edits: { applied: boolean; changes: string[] }) => {
    properties.cloud_edits = edits.applied ? edits.changes : 'skipped: root filesystem is not ext2/3/4';
  };
  const convert = plan.convert ?? ((req: ConvertInput) => convertToRaw({ ...convertRequestBase(ctx), ...req, options: {} }));

  if (!plan.cloudEdits) {
    // Nothing to change inside the image: convert straight from the base disk.
    ctx.progress(10, `Converting to ${plan.label}`);
    await convert({ input: ctx.base.diskPath, inputFormat: 'raw', output: ctx.outputPath, progress: conversionProgress(ctx, 10, plan.label) });
  } else {
    const overlay = plan.needsRawInput || ctx.config.fuse_edits === false ? null : await editInOverlay(ctx, plan.cloudEdits);
    if (overlay) {
      recordEdits(overlay.edits);
      ctx.progress(40, `Converting to ${plan.label}`);
      await convert({ input: overlay.path, inputFormat: 'qcow2', output: ctx.outputPath, progress: conversionProgress(ctx, 40, plan.label) });
      await rm(overlay.path, { force: true });
    } else {
      const working = workingDiskPath(ctx.workDir);
      try {
        ctx.progress(5, 'Copying base image');
        await sparseCopy(ctx.exec, ctx.base.diskPath, working);
        ctx.progress(30, `Applying ${plan.cloudEdits.cloudType} changes inside the image`);
        recordEdits(await applyCloudEdits(ctx.exec, working, plan.cloudEdits, ctx.workDir, ctx.log));
        ctx.progress(40, `Converting to ${plan.label}`);
        await convert({ input: working, inputFormat: 'raw', output: ctx.outputPath, progress: conversionProgress(ctx, 40, plan.label) });
      } finally {
        await rm(working, { force: true });
      }
    }
  }
  if (plan.qemuFormat) properties.virtual_size = (await qemuImgInfo(ctx.exec, ctx.outputPath, plan.qemuFormat)).virtualSize;
  ctx.progress(100, `Target image ready (${plan.label})`);
  return { format: plan.format, properties };
}

type ConvertInput = Pick<ConvertRequest<never>, 'input' | 'inputFormat' | 'output' | 'progress'>;

/** qemu-img's own progress, mapped onto [from, 95] of the target build. */
function conversionProgress(ctx: TargetImageContext, from: number, label: string): (fraction: number) => void {
  return (f) => ctx.progress(from + (95 - from) * f, `Converting to ${label}`);
}

/**
 * Applies the cloud edits in a qcow2 overlay over the base disk; null when the overlay cannot be
 * exported here (no qemu-storage-daemon or no FUSE), so the caller falls back to a copy.
 */
async function editInOverlay(ctx: TargetImageContext, edits: CloudEdits): Promise<{ path: string; edits: { applied: boolean; changes: string[] } } | null> {
  const path = join(ctx.workDir, 'edits-overlay.qcow2');
  await ctx.exec(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', ctx.base.diskPath, '-F', 'raw', path]);
  let view;
  try {
    view = await exportAsRawFile({ image: path, format: 'qcow2', mountpoint: join(ctx.workDir, 'edits-view.raw') });
  } catch (e) {
    ctx.log(`No FUSE export here (${(e as Error).message}); editing a copy of the base disk instead`);
    await rm(path, { force: true });
    return null;
  }
  try {
    ctx.progress(20, `Applying ${edits.cloudType} changes inside the image`);
    return { path, edits: await applyCloudEdits(ctx.exec, view.path, edits, ctx.workDir, ctx.log) };
  } finally {
    await view.close();
  }
}

/** The converter request fields that come from the context. */
export function convertRequestBase(ctx: TargetImageContext) {
  return { exec: ctx.exec, signal: ctx.signal, log: ctx.log };
}
