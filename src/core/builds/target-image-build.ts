import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import type { Tdl } from '../../domain/template/tdl.js';
import { timedStep } from '../ports/build-metrics.js';
import { makeBuildContext, scaledProgress, type ProgressSink } from './build-context-factory.js';
import type { BuildDeps } from './build-deps.js';
import type { BuildLog } from './build-log.js';

/**
 * Builds a target image from its (COMPLETE) parent. The parent is a base image, except for the `ova`
 * target, whose parent is the rhevm/vsphere/hyperv target image it packages.
 */
export async function runTargetImageBuild(deps: BuildDeps, image: ImageRecord, signal: AbortSignal, log: BuildLog, progress: ProgressSink): Promise<Partial<ImageRecord>> {
  const target = image.target ?? '';
  const plugin = deps.plugins.targetPluginFor(target);
  if (!plugin) throw new AppError('TARGET_UNKNOWN', `No plugin .info file loaded for target: ${target}`);
  const pluginError = deps.plugins.errorOf(plugin.id);
  if (pluginError) throw new AppError('TOOL_MISSING', pluginError);

  const parent = image.baseImageId ? await deps.store.get(image.baseImageId) : undefined;
  if (!parent) throw new AppError('JOB_DEPENDENCY_FAILED', `The BaseImage (${image.baseImageId}) for our TargetImage no longer exists.`);
  const { artifacts } = deps;
  const base = parent.kind === 'target_image' && parent.baseImageId ? await deps.store.get(parent.baseImageId) : parent;
  const baseId = base?.id ?? parent.id;
  const rootfs = artifacts.artifactPath(baseId, 'rootfs.tar');

  const ctx = await makeBuildContext({
    imageId: image.id, artifacts, log, signal, progress: scaledProgress(progress, 0, 97),
    execFactory: deps.execFactory, stepTimeoutMs: deps.settings.stepTimeoutMs,
  });
  const outputPath = `${ctx.workDir}/target.out`;
  log.line(`Building ${target} target image with plugin ${plugin.id} from ${parent.kind === 'target_image' ? 'target' : 'base'} image ${parent.id}`);
  const rootfsTarPath = (await artifacts.exists(rootfs)) ? rootfs : null;
  const result = await timedStep(deps.metrics, 'target_image', 'convert', () => plugin.createTargetImage({
    ...ctx,
    target,
    parameters: image.parameters,
    config: deps.settings.targetConfig,
    base: {
      id: baseId,
      diskPath: artifacts.bodyPath(baseId),
      rootfsTarPath,
      template: templateOf(base ?? parent),
    },
    sourceTargetImage: parent.kind === 'target_image'
      ? { id: parent.id, target: parent.target ?? '', bodyPath: artifacts.bodyPath(parent.id), parameters: parent.parameters }
      : undefined,
    outputPath,
  }));
  progress(98, 'Storing the target image');
  await artifacts.install(outputPath, artifacts.bodyPath(image.id));
  const properties: Record<string, unknown> = { ...image.properties, ...result.properties, format: result.format, target_plugin: plugin.id };
  // Container targets also leave an OCI image layout beside the body (for registry pushes).
  if (await artifacts.exists(`${outputPath}.oci`)) {
    const oci = artifacts.artifactPath(image.id, 'oci');
    await artifacts.install(`${outputPath}.oci`, oci);
    properties.oci_layout_path = oci;
    if (typeof properties.tag === 'string') properties.oci_reference = `oci:${oci}:${properties.tag}`;
  }
  return { properties };
}

function templateOf(image: ImageRecord): Tdl | null {
  try { return image.template ? parseTdl(image.template) : null; } catch { return null; }
}
