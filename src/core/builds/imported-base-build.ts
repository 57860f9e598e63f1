import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { bootTestBaseImage } from './base-boot-test.js';
import { makeBuildContext, scaledProgress, type ProgressSink } from './build-context-factory.js';
import type { BuildDeps } from './build-deps.js';
import type { BuildLog } from './build-log.js';
import { qemuImgProgressOptions } from '../../plugins/sdk/qemu-img-progress.js';

/** Where the import use-case leaves the upload: this name inside the image's scratch directory. */
export const IMPORT_UPLOAD_NAME = 'import.upload';

/** Formats qemu-img may be told the upload is in (the probe found one of these). */
const CONVERTIBLE = new Set(['qcow2', 'vmdk', 'vhdx', 'vdi', 'vpc', 'raw']);

/** `properties.import` of an imported base image: what the probe found in the upload. */
export interface ImportSpec {
  format: string;
  virtual_size: number;
  uploaded_bytes: number;
}

export function importSpecOf(image: ImageRecord): ImportSpec | undefined {
  const spec = image.properties.import as ImportSpec | undefined;
  return spec && typeof spec === 'object' && typeof spec.format === 'string' ? spec : undefined;
}

/**
 * The base-image build of an imported disk: convert the upload to the raw body every base image
 * has, then the same boot test as an installed image. No rootfs tar or SBOM: nothing was installed,
 * so the package list is unknown (icicle stays null).
 */
export async function runImportedBaseBuild(deps: BuildDeps, image: ImageRecord, spec: ImportSpec, signal: AbortSignal, log: BuildLog, progress: ProgressSink): Promise<Partial<ImageRecord>> {
  if (!CONVERTIBLE.has(spec.format)) throw new AppError('BUILD_FAILED', `Imported image has an unsupported format: ${spec.format}`);
  const ctx = await makeBuildContext({
    imageId: image.id, artifacts: deps.artifacts, log, signal, progress: scaledProgress(progress, 0, 85),
    execFactory: deps.execFactory, stepTimeoutMs: deps.settings.stepTimeoutMs,
  });
  const upload = join(ctx.workDir, IMPORT_UPLOAD_NAME);
  if (!(await deps.artifacts.exists(upload))) {
    throw new AppError('BUILD_FAILED', 'The uploaded disk is no longer there (was the daemon restarted before the import was built?); import it again.');
  }
  const disk = join(ctx.workDir, 'disk.raw');
  ctx.progress(5, `Converting the imported ${spec.format} disk (${spec.virtual_size} bytes) to raw`);
  // The format is explicit: the upload was probed with exactly this -f, never guessed.
  const label = `Converting the imported ${spec.format} disk to raw`;
  await ctx.exec(['qemu-img', 'convert', '-p', '-f', spec.format, '-O', 'raw', upload, disk],
    qemuImgProgressOptions((f) => ctx.progress(5 + 90 * f, label), ctx.log));
  await rm(upload, { force: true });
  ctx.progress(100, 'Imported disk converted');

  const bootTest = await bootTestBaseImage(deps, image, disk, signal, log, progress);
  progress(97, 'Storing the base image');
  await deps.artifacts.install(disk, deps.artifacts.bodyPath(image.id));
  return { properties: { ...image.properties, boot_test: bootTest } };
}
