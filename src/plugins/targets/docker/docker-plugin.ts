import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetPlugin } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { writeAtomically } from '../../formats/atomic-output.js';
import { hasCommand } from '../../../platform/exec.js';
import { cloudPluginInfo } from '../shared/plugin-info.js';
import { checkDockerParameters, dockerSettings, DOCKER_PARAMETERS, type Compressor } from './docker-parameters.js';
import { filteredLayerTar } from './layer-tar.js';
import { buildOciImage, ociArch } from './oci-image.js';

const SUFFIX: Record<Compressor, string> = { xz: '.xz', gzip: '.gz', bzip2: '.bz2' };

/** Compresses `file` in place (the tool writes file.<suffix> and removes file); returns the new path. */
async function compressInPlace(exec: Parameters<TargetPlugin['createTargetImage']>[0]['exec'], file: string, kind: Compressor): Promise<string> {
  const argv = kind === 'xz' ? ['xz', '-T0', '-f', file]
    : kind === 'gzip' ? [(await hasCommand('pigz')) ? 'pigz' : 'gzip', '-f', file]
      : ['bzip2', '-f', file];
  await exec(argv);
  return file + SUFFIX[kind];
}

/**
 * Docker images from the base image's root filesystem tar (no disk involved): a `docker save`
 * archive as the body, plus an OCI image layout next to it (`<body>.oci`) for registry pushes.
 */
export const dockerPlugin: TargetPlugin = {
  id: 'Docker',
  info: cloudPluginInfo(['docker'], 'Docker plugin: docker-loadable image archives and OCI layouts from the root filesystem'),
  requiredTools: [
    { command: 'umoci', debianPackage: 'umoci' },
    { command: 'skopeo', debianPackage: 'skopeo' },
    { command: 'tar', debianPackage: 'tar' },
    { command: 'xz', debianPackage: 'xz-utils' },
    { command: 'bzip2', debianPackage: 'bzip2' },
  ],
  targets: [{
    name: 'docker',
    description: 'Docker: `docker load`-able image archive (and an OCI image layout)',
    formats: ['docker', 'tar'],
    parameters: DOCKER_PARAMETERS,
  }],
  checkParameters: (_t, params) => checkDockerParameters(params),
  async createTargetImage(ctx) {
    const problems = checkDockerParameters(ctx.parameters);
    if (problems.length) throw new AppError('REQUEST_INVALID', problems.join('; '));
    if (!ctx.base.rootfsTarPath) {
      throw new AppError('BUILD_FAILED', `Base image ${ctx.base.id} has no root filesystem tar: the docker target needs one`);
    }
    const arch = ociArch(ctx.base.template?.os.arch);
    const s = dockerSettings(ctx.parameters, ctx.base.template?.name ?? null, ctx.base.template?.os.arch ?? 'x86_64', `imagefactory-${ctx.base.id}`);
    ctx.progress(5, 'Preparing the filesystem layer');
    const layer = await filteredLayerTar(ctx.exec, ctx.base.rootfsTarPath, s.excludes, join(ctx.workDir, 'layer.tar'), ctx.log);
    const ociDir = `${ctx.outputPath}.oci`;
    const properties: Record<string, unknown> = { compress: s.compress };

    await writeAtomically(ctx.outputPath, async (tmp) => {
      let body = join(ctx.workDir, 'image.tar');
      if (s.wrap) {
        ctx.progress(20, 'Building the OCI image layout');
        await rm(ociDir, { recursive: true, force: true });
        const stagingOci = join(ctx.workDir, 'oci');
        const { reference } = await buildOciImage(ctx.exec, { layerTar: layer, layoutDir: stagingOci, dockerArchive: body, settings: s, arch });
        Object.assign(properties, { repository: s.repository, tag: s.tag, reference, oci_layout_path: ociDir, oci_reference: `oci:${ociDir}:${s.tag}` });
        await ctx.exec(['mv', stagingOci, ociDir]);
      } else {
        await ctx.exec(['cp', '--sparse=always', layer, body]);
      }
      if (s.compress) {
        ctx.progress(70, `Compressing with ${s.compress}`);
        body = await compressInPlace(ctx.exec, body, s.compress);
      }
      await ctx.exec(['mv', body, tmp]);
    }).catch(async (e: unknown) => {
      await rm(ociDir, { recursive: true, force: true });
      throw e;
    });
    ctx.progress(100, 'Docker image ready');
    return { format: s.wrap ? 'docker' : 'tar', properties };
  },
};

