import { rm } from 'node:fs/promises';
import type { TargetImageContext, TargetImageResult } from '../../sdk/index.js';
import type { ConvertRequest, ConvertResult } from '../../formats/converter.js';
import { writeAtomically } from '../../formats/atomic-output.js';
import { qemuImgInfo } from '../../formats/qemu-img.js';
import { applyCloudEdits, type CloudEdits } from './cloud-edits.js';
import { sparseCopy, workingDiskPath } from './working-copy.js';

export interface DiskTargetPlan {
  /** In-image changes for this cloud; omitted for targets the original left untouched. */
  cloudEdits?: CloudEdits;
  /** Human name of the output, for the activity text ("qcow2", "fixed VHD"...). */
  label: string;
  /** Converts the prepared raw disk; null means the prepared raw disk itself is the output. */
  convert: ((req: Pick<ConvertRequest<never>, 'input' | 'output'>) => Promise<ConvertResult>) | null;
  /** Target image format reported to the core. */
  format: string;
  /** qemu-img driver to read the output with (verifies it and records its virtual size); null for non-disk outputs. */
  qemuFormat: string | null;
  properties?: Record<string, unknown>;
}

/**
 * The shared flow of the VM targets: private sparse copy of the base disk, Image Factory's cloud
 * edits inside it, then the format conversion into ctx.outputPath. The base image is never modified.
 */
export async function buildDiskTarget(ctx: TargetImageContext, plan: DiskTargetPlan): Promise<TargetImageResult> {
  const properties: Record<string, unknown> = { ...plan.properties };
  const prepare = async (disk: string) => {
    ctx.progress(5, 'Copying base image');
    await sparseCopy(ctx.exec, ctx.base.diskPath, disk);
    if (plan.cloudEdits) {
      ctx.progress(30, `Applying ${plan.cloudEdits.cloudType} changes inside the image`);
      const edits = await applyCloudEdits(ctx.exec, disk, plan.cloudEdits, ctx.workDir, ctx.log);
      properties.cloud_edits = edits.applied ? edits.changes : 'skipped: root filesystem is not ext2/3/4';
    }
  };

  if (plan.convert === null) {
    // Raw output: prepare straight under the output's temporary name (no second copy).
    await writeAtomically(ctx.outputPath, prepare);
  } else {
    const working = workingDiskPath(ctx.workDir);
    try {
      await prepare(working);
      ctx.progress(40, `Converting to ${plan.label}`);
      await plan.convert({ input: working, output: ctx.outputPath });
    } finally {
      await rm(working, { force: true });
    }
  }
  if (plan.qemuFormat) properties.virtual_size = (await qemuImgInfo(ctx.exec, ctx.outputPath, plan.qemuFormat)).virtualSize;
  ctx.progress(100, `Target image ready (${plan.label})`);
  return { format: plan.format, properties };
}

/** The converter request fields that come from the context. */
export function convertRequestBase(ctx: TargetImageContext) {
  return { exec: ctx.exec, signal: ctx.signal, log: ctx.log };
}
