import { writeFile } from 'node:fs/promises';
import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { isParameterOff } from '../../domain/image-parameters.js';
import { canonicalTemplateDigest } from '../../domain/template/canonical-key.js';
import { EMPTY_ICICLE, renderIcicle } from '../../domain/template/icicle.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import { renderSpdx } from '../../domain/template/spdx.js';
import { bootTestBaseImage } from './base-boot-test.js';
import { importSpecOf, runImportedBaseBuild } from './imported-base-build.js';
import { timedStep } from '../ports/build-metrics.js';
import { makeBuildContext, scaledProgress, type ProgressSink } from './build-context-factory.js';
import type { BuildDeps } from './build-deps.js';
import type { BuildLog } from './build-log.js';

/** Builds a base image: OS install into a disk, boot test, ICICLE and SBOM. Or reuses a cached one, or converts an imported disk. */
export async function runBaseImageBuild(deps: BuildDeps, image: ImageRecord, signal: AbortSignal, log: BuildLog, progress: ProgressSink): Promise<Partial<ImageRecord>> {
  // An imported disk is converted, not installed (POST /imagefactory/base_images/import).
  const imported = importSpecOf(image);
  if (imported) return runImportedBaseBuild(deps, image, imported, signal, log, progress);
  const tdl = parseTdl(image.template ?? '');
  const plugin = deps.plugins.osPluginFor(tdl);
  if (!plugin) throw new AppError('OS_UNSUPPORTED', `No OS plugin supports ${tdl.os.name} ${tdl.os.version} ${tdl.os.arch}`);
  const pluginError = deps.plugins.errorOf(plugin.id);
  if (pluginError) throw new AppError('TOOL_MISSING', pluginError);

  // A digest, so the database never holds template secrets (rootpw, file contents) a second time.
  const cacheKey = `${plugin.id}@${plugin.info.version}:${canonicalTemplateDigest(tdl)}`;
  const useCache = deps.settings.buildCache && !isParameterOff(image.parameters, 'build_cache');
  if (useCache) {
    const cached = await reuseCachedBase(deps, image, cacheKey, log);
    if (cached) return cached;
  }

  const { artifacts } = deps;
  const ctx = await makeBuildContext({
    imageId: image.id, artifacts, log, signal, progress: scaledProgress(progress, 0, 85),
    execFactory: deps.execFactory, stepTimeoutMs: deps.settings.stepTimeoutMs,
  });
  const outputs = { diskPath: `${ctx.workDir}/disk.raw`, rootfsTarPath: `${ctx.workDir}/rootfs.tar` };
  log.line(`Building base image with OS plugin ${plugin.id} (${tdl.os.name} ${tdl.os.version} ${tdl.os.arch})`);
  const result = await timedStep(deps.metrics, 'base_image', 'install', () => plugin.createBaseImage({
    ...ctx, template: tdl, templateXml: image.template ?? '', parameters: image.parameters, outputs,
  }));

  const properties: Record<string, unknown> = { ...image.properties, ...result.properties, os_plugin: plugin.id };
  if (result.bootable === false) {
    // The plugin built a disk that cannot boot (e.g. no kernel in its repository): say so, do not fail.
    const reason = typeof result.properties.notBootableReason === 'string' ? result.properties.notBootableReason : 'the OS plugin reports the disk is not bootable';
    log.line(`Boot test skipped: ${reason}`);
    properties.boot_test = { skipped: true, reason };
  } else {
    properties.boot_test = await timedStep(deps.metrics, 'base_image', 'boot_test', () => bootTestBaseImage(deps, image, outputs.diskPath, signal, log, progress));
  }

  progress(97, 'Storing the base image');
  const generateIcicle = !isParameterOff(image.parameters, 'generate_icicle');
  const icicle = generateIcicle ? renderIcicle(result.packages, { description: tdl.description ?? undefined }) : EMPTY_ICICLE;
  const sbom = renderSpdx({ imageId: image.id, name: tdl.name, created: new Date(), packages: result.packages, osName: tdl.os.name, osVersion: tdl.os.version });
  await writeFile(artifacts.artifactPath(image.id, 'sbom.spdx.json'), JSON.stringify(sbom, null, 2));
  await artifacts.install(outputs.rootfsTarPath, artifacts.artifactPath(image.id, 'rootfs.tar'));
  await artifacts.install(outputs.diskPath, artifacts.bodyPath(image.id));
  await deps.store.setCacheKey(image.id, cacheKey);
  properties.package_count = result.packages.length;
  return { icicle, properties };
}

/** Reuses the files of a COMPLETE base image with the same cache key (hard links: instant, no copy). */
async function reuseCachedBase(deps: BuildDeps, image: ImageRecord, cacheKey: string, log: BuildLog): Promise<Partial<ImageRecord> | undefined> {
  const cached = await deps.store.findCompleteBaseByCacheKey(cacheKey);
  if (!cached || cached.id === image.id) return undefined;
  const { artifacts } = deps;
  const body = artifacts.bodyPath(cached.id);
  const rootfs = artifacts.artifactPath(cached.id, 'rootfs.tar');
  if (!(await artifacts.exists(body)) || !(await artifacts.exists(rootfs))) return undefined;
  log.line(`Template unchanged since base image ${cached.id}: reusing it (parameter build_cache=false rebuilds)`);
  await artifacts.share(body, artifacts.bodyPath(image.id));
  await artifacts.share(rootfs, artifacts.artifactPath(image.id, 'rootfs.tar'));
  for (const name of ['sbom.spdx.json', 'serial.log'] as const) {
    const from = artifacts.artifactPath(cached.id, name);
    if (await artifacts.exists(from)) await artifacts.share(from, artifacts.artifactPath(image.id, name));
  }
  await deps.store.setCacheKey(image.id, cacheKey);
  return { icicle: cached.icicle, properties: { ...cached.properties, ...image.properties, cached_from: cached.id } };
}
