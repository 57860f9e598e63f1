/**
 * Builds a Debian/Ubuntu base image: bootstrap a tree with mmdebstrap, make it a serial-console VM,
 * apply the template inside a chroot, then assemble a GPT disk that boots with BIOS and UEFI,
 * plus a rootfs tar. Each step is a module under steps/; this file only sequences them.
 */
import { randomUUID } from 'node:crypto';
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../domain/errors.js';
import { DEFAULT_DISK_SIZE_BYTES } from '../../../domain/template/tdl.js';
import type { BaseImageContext, BaseImageResult } from '../../sdk/os-plugin.js';
import { checkDebianTemplate } from './check-template.js';
import { resolveRelease, type DebianRelease } from './releases.js';
import { bootstrapWithInitramfs, type BootstrapOptions } from './steps/bootstrap-rootfs.js';
import { finishInitramfs } from './steps/initramfs.js';
import { bootstrapFromLayer } from './steps/base-layer.js';

import { isParameterOff } from '../../../domain/image-parameters.js';
import { configureSystem } from './steps/configure-system.js';
import { hostnameFor } from '../shared/system-identity.js';
import { repositoryFiles } from './steps/apt-repositories.js';
import { withChroot } from '../shared/chroot-session.js';
import { removeTree } from '../shared/remove-tree.js';
import { installPackages, setRootPassword } from './steps/customize-tree.js';
import { runCommands, writeFiles, WRITE_FILE_ARGV } from '../shared/template-customization.js';
import { withPackageCache } from './steps/package-cache.js';
import { findKernel, listPackages, type KernelPaths } from './steps/inspect-image.js';
import { grubConfig, kernelCommandLine } from '../shared/grub-config.js';
import { finalizeImage } from './steps/finalize-image.js';
import { writeRootfsTar } from '../shared/write-rootfs-tar.js';
import { planDiskLayout } from '../shared/disk-layout.js';
import { assembleDisk } from '../shared/assemble-disk.js';

export async function createDebianBaseImage(ctx: BaseImageContext): Promise<BaseImageResult> {
  const t = ctx.template;
  const problems = checkDebianTemplate(t);
  if (problems.length) throw new AppError('OS_UNSUPPORTED', problems.join('; '));
  const release = resolveRelease(t.os.name, t.os.version)!;
  if (t.os.install.type !== 'url') throw new AppError('OS_UNSUPPORTED');
  const mirrorUrl = t.os.install.url.trim().replace(/\/+$/, '');
  await access(release.keyring).catch(() => {
    throw new AppError('TOOL_MISSING', `${release.distro} archives are verified with ${release.keyring}, which is missing on this machine`
      + ` (Debian package ${release.distro === 'Ubuntu' ? 'ubuntu-keyring' : 'debian-archive-keyring'})`);
  });

  const root = join(ctx.workDir, 'rootfs');
  const debCacheDir = join(ctx.cacheDir, 'apt-archives', `${release.distro.toLowerCase()}-amd64`);
  const rootFsUuid = randomUUID();
  const layout = planDiskLayout(t.diskSizeBytes ?? DEFAULT_DISK_SIZE_BYTES);
  const label = `${release.distro} ${release.codename}`;

  try {
    ctx.progress(2, `Installing ${label} from ${mirrorUrl}`);
    const bootstrap: BootstrapOptions = {
      release, mirrorUrl, rootDir: root, debCacheDir, log: ctx.log,
      onProgress: (p) => ctx.progress(2 + 43 * p.fraction, `${label}: ${p.activity}`),
    };
    const { cacheUse, property: baseLayer } = isParameterOff(ctx.parameters, 'layer_cache')
      ? { cacheUse: await bootstrapWithInitramfs(ctx.exec, bootstrap), property: { source: 'none', reason: 'parameter layer_cache=false' } }
      : await bootstrapFromLayer(ctx, bootstrap);
    if (cacheUse) ctx.log(`package cache: ${cacheUse.cachedBefore} packages were cached, ${cacheUse.downloaded} downloaded by the bootstrap`);

    ctx.progress(45, 'Configuring the system for serial console, DHCP and the boot self-test');
    await configureSystem(root, { hostname: hostnameFor(t.name, release.distro.toLowerCase()), rootFsUuid });
    const repos = repositoryFiles(t.repositories, release);
    for (const r of repos) await writeFile(join(root, r.path), r.text, { mode: 0o644 });

    const kernel = await withChroot(ctx.exec, root, async (s) => {
      if (t.precommands.length) ctx.progress(48, 'Running the template precommands');
      await runCommands(s, t.precommands, 'precommand', ctx.signal);
      if (t.packages.length) ctx.progress(52, `Installing ${t.packages.length} template packages`);
      await withPackageCache(ctx.exec, root, debCacheDir, () =>
        installPackages(s, t.packages.map((p) => p.name), repos.length > 0 || t.precommands.length > 0, {
          log: ctx.log, onProgress: (p) => ctx.progress(52 + 8 * p.fraction, p.activity),
        }));
      await finishInitramfs(s);
      if (t.files.length) ctx.progress(60, 'Writing the template files');
      await writeFiles(s, t.files, ctx.signal);
      if (t.commands.length) ctx.progress(63, 'Running the template commands');
      await runCommands(s, t.commands, 'command', ctx.signal);
      if (t.os.rootpw) await setRootPassword(s, t.os.rootpw);
      const k = await findKernel(s);
      await s.run(WRITE_FILE_ARGV('/boot/grub/grub.cfg'), { input: grubConfig(menuFor(release, rootFsUuid, k, t.os.kernelparam)) });
      ctx.progress(68, 'Cleaning up the image');
      await finalizeImage(s, repos.filter((r) => !r.persisted).map((r) => r.path), t.files.some((f) => f.name === '/etc/resolv.conf'));
      return k;
    }, { env: { DEBIAN_FRONTEND: 'noninteractive' }, blockServices: true });

    const packages = await listPackages(ctx.exec, root);
    ctx.progress(72, 'Writing the root filesystem tar');
    await writeRootfsTar(ctx.exec, root, ctx.outputs.rootfsTarPath);

    ctx.progress(80, `Assembling a ${layout.diskBytes / 1024 / 1024} MiB GPT disk`);
    await assembleDisk(ctx.exec, {
      diskPath: ctx.outputs.diskPath, layout, treeDir: root, rootFsUuid, workDir: ctx.workDir, bootloader: true, progress: ctx.progress,
    });
    ctx.progress(100, 'Base image complete');

    return {
      packages,
      properties: {
        distro: release.distro,
        release: release.codename,
        mirror: mirrorUrl,
        kernelVersion: kernel.version,
        bootModes: ['bios', 'uefi'],
        bootloader: 'grub',
        partitionTable: 'gpt',
        rootFsType: 'ext4',
        rootFsUuid,
        diskSizeBytes: layout.diskBytes,
        ...(cacheUse ? { packageCache: cacheUse } : {}),
        baseLayer,
      },
      bootTest: { kernelParams: `${kernelCommandLine({ rootFsUuid, kernelParams: t.os.kernelparam ?? '' })} imagefactory.selftest` },
    };
  } catch (e) {
    await rm(ctx.outputs.diskPath, { force: true });
    await rm(ctx.outputs.rootfsTarPath, { force: true });
    throw e;
  } finally {
    await removeTree(root);
  }
}

function menuFor(release: DebianRelease, rootFsUuid: string, k: KernelPaths, kernelparam: string | null) {
  const title = release.distro === 'Debian' ? `Debian GNU/Linux ${release.codename}` : `Ubuntu ${release.number ?? release.codename}`;
  return { title, rootFsUuid, kernelPath: k.kernelPath, initrdPath: k.initrdPath, kernelParams: kernelparam ?? '' };
}
