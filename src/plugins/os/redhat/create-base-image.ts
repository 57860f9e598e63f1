/**
 * Builds a Fedora / RHEL / CentOS Stream base image with the host's dnf (--installroot): the
 * install URL is the base repository, the template's <repositories> are added; @core and a kernel
 * when the repository has them, then the template's precommands, packages, files, commands and
 * root password inside a chroot; then the same GPT disk as every OS plugin (GRUB for BIOS and UEFI
 * when there is a kernel to boot) and a rootfs tar. Each step is a module under steps/.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../domain/errors.js';
import { DEFAULT_DISK_SIZE_BYTES } from '../../../domain/template/tdl.js';
import type { BaseImageContext, BaseImageResult } from '../../sdk/os-plugin.js';
import { assembleDisk } from '../shared/assemble-disk.js';
import { withChroot, type ChrootSession } from '../shared/chroot-session.js';
import { planDiskLayout } from '../shared/disk-layout.js';
import { grubConfig, kernelCommandLine } from '../shared/grub-config.js';
import { removeTree } from '../shared/remove-tree.js';
import { hostnameFor } from '../shared/system-identity.js';
import { runCommands, writeFiles, WRITE_FILE_ARGV } from '../shared/template-customization.js';
import { writeRootfsTar } from '../shared/write-rootfs-tar.js';
import { checkRedHatTemplate } from './check-template.js';
import { resolveRelease, type RedHatRelease } from './releases.js';
import { chooseBase } from './steps/choose-base.js';
import { configureSystem } from './steps/configure-system.js';
import { dnfConfText, dnfInstallArgv, repositoryDefinitions, rpmMacrosText, type DnfPaths } from './steps/dnf-config.js';
import { runDnf, type DnfEnvironment } from './steps/dnf-run.js';
import { finalizeImage } from './steps/finalize-image.js';
import { findKernelVersion, kernelFiles, listPackages, type KernelFiles } from './steps/inspect-image.js';
import { setRootPassword } from './steps/root-password.js';

export async function createRedHatBaseImage(ctx: BaseImageContext): Promise<BaseImageResult> {
  const t = ctx.template;
  const problems = checkRedHatTemplate(t);
  if (problems.length) throw new AppError('OS_UNSUPPORTED', problems.join('; '));
  const lookup = resolveRelease(t.os.name, t.os.version);
  if (!('release' in lookup) || t.os.install.type !== 'url') throw new AppError('OS_UNSUPPORTED');
  const release = lookup.release;
  const baseUrl = t.os.install.url.trim();

  const root = join(ctx.workDir, 'rootfs');
  const rpmHome = join(ctx.workDir, 'rpm-home');
  const paths: DnfPaths = {
    root, confPath: join(ctx.workDir, 'dnf.conf'), reposDir: join(ctx.workDir, 'repos.d'),
    cacheDir: join(ctx.cacheDir, 'dnf', `${release.family.toLowerCase()}-${release.major}-x86_64`),
  };
  const repos = repositoryDefinitions(baseUrl, t.repositories);
  await Promise.all([root, rpmHome, paths.reposDir, paths.cacheDir].map((d) => mkdir(d, { recursive: true })));
  await writeFile(join(rpmHome, '.rpmmacros'), rpmMacrosText(release));
  await writeFile(paths.confPath, dnfConfText());
  for (const r of repos) await writeFile(join(paths.reposDir, `${r.id}.repo`), r.text);
  const dnf: DnfEnvironment = { exec: ctx.exec, rpmHome, repos, log: ctx.log };
  const rootFsUuid = randomUUID();
  const layout = planDiskLayout(t.diskSizeBytes ?? DEFAULT_DISK_SIZE_BYTES);
  const templatePackages = t.packages.map((p) => p.name);

  try {
    const built = await withChroot(ctx.exec, root, async (s) => {
      ctx.progress(2, `Reading the repositories (${repos.map((r) => r.url).join(', ')})`);
      const base = await chooseBase(dnf, paths, release);
      // Without a base set there is no shell for precommands yet: the template's packages come first.
      const first = base.specs.length ? base.specs : templatePackages;
      if (!first.length) {
        throw new AppError('BUILD_FAILED', `nothing to install: the repository ${baseUrl} has no "core" group and the template lists no <packages>`);
      }
      ctx.log(base.coreGroup ? 'The repository has the core group: installing @core' : 'The repository has no "core" group: installing only the template\'s packages');
      ctx.progress(5, `Installing ${release.title} (${first.join(', ')}) from ${baseUrl}`);
      await runDnf(dnf, dnfInstallArgv(paths, release, first), `installing ${first.join(', ')}`,
        (p) => ctx.progress(5 + 40 * p.fraction, p.activity));

      ctx.progress(45, 'Configuring the system (hostname, fstab by UUID, boot self-test)');
      const config = await configureSystem(root, { hostname: hostnameFor(t.name, release.family.toLowerCase()), rootFsUuid });
      await mkdir(join(root, 'etc/yum.repos.d'), { recursive: true });
      for (const r of repos) await writeFile(join(root, 'etc/yum.repos.d', `${r.id}.repo`), r.text, { mode: 0o644 });

      if (t.precommands.length) ctx.progress(48, 'Running the template precommands');
      await runCommands(s, t.precommands, 'precommand', ctx.signal);
      if (base.specs.length && templatePackages.length) {
        ctx.progress(52, `Installing ${templatePackages.length} template packages`);
        await runDnf(dnf, dnfInstallArgv(paths, release, templatePackages), 'installing the template\'s packages',
          (p) => ctx.progress(52 + 8 * p.fraction, p.activity));
      }
      if (t.files.length) ctx.progress(60, 'Writing the template files');
      await writeFiles(s, t.files, ctx.signal);
      if (t.commands.length) ctx.progress(63, 'Running the template commands');
      await runCommands(s, t.commands, 'command', ctx.signal);
      if (t.os.rootpw) await setRootPassword(ctx.exec, s, t.os.rootpw);

      const kernel = await prepareBoot(ctx, s, release, rootFsUuid);
      ctx.progress(68, 'Cleaning up the image');
      const templateResolv = t.files.some((f) => f.name === '/etc/resolv.conf');
      await finalizeImage(s, repos.filter((r) => !r.persisted).map((r) => `/etc/yum.repos.d/${r.id}.repo`), config.addedResolvConf && !templateResolv);
      return { base, kernel, config };
    }, { devTmpfs: true });

    const packages = await listPackages(ctx.exec, root, rpmHome);
    ctx.progress(72, 'Writing the root filesystem tar');
    await writeRootfsTar(ctx.exec, root, ctx.outputs.rootfsTarPath);
    const bootable = built.kernel !== null;
    const notBootableReason = bootable ? null
      : `no kernel: the repository ${baseUrl} offers no "kernel" package and the template installed none, so the disk has no bootloader`;
    if (notBootableReason) ctx.log(`The image cannot boot: ${notBootableReason}`);

    ctx.progress(80, `Assembling a ${layout.diskBytes / 1024 / 1024} MiB GPT disk`);
    await assembleDisk(ctx.exec, {
      diskPath: ctx.outputs.diskPath, layout, treeDir: root, rootFsUuid, workDir: ctx.workDir, bootloader: bootable, progress: ctx.progress,
    });
    ctx.progress(100, 'Base image complete');
    return {
      packages,
      bootable,
      properties: {
        distro: release.family,
        release: release.title,
        releasever: release.releasever,
        repository: baseUrl,
        coreGroup: built.base.coreGroup,
        rpmDbPath: release.dbPath,
        kernelVersion: built.kernel?.version ?? null,
        bootable,
        ...(notBootableReason ? { notBootableReason } : { bootModes: ['bios', 'uefi'], bootloader: 'grub' }),
        selinuxRelabelOnFirstBoot: built.config.selinuxRelabel,
        partitionTable: 'gpt',
        rootFsType: 'ext4',
        rootFsUuid,
        diskSizeBytes: layout.diskBytes,
      },
      ...(bootable ? { bootTest: { kernelParams: `${kernelCommandLine({ rootFsUuid, kernelParams: t.os.kernelparam ?? '' })} imagefactory.selftest` } } : {}),
    };
  } catch (e) {
    await rm(ctx.outputs.diskPath, { force: true });
    await rm(ctx.outputs.rootfsTarPath, { force: true });
    throw e;
  } finally {
    await removeTree(root);
  }
}

/**
 * With a kernel in /boot: a generic (not host-only) initramfs from the image's dracut, since the
 * image will boot on other hardware than the build host, and grub.cfg for the shared GRUB images.
 */
async function prepareBoot(ctx: BaseImageContext, s: ChrootSession, release: RedHatRelease, rootFsUuid: string): Promise<KernelFiles | null> {
  const version = await findKernelVersion(s.root);
  if (!version) return null;
  const k = kernelFiles(version);
  ctx.progress(65, `Building the initramfs for kernel ${version}`);
  await s.run(['dracut', '--force', '--no-hostonly', '--kver', version, k.initrdPath]);
  await lstat(join(s.root, k.initrdPath)).catch(() => {
    throw new AppError('BUILD_FAILED', `dracut did not create ${k.initrdPath}`);
  });
  const menu = { title: release.title, rootFsUuid, kernelPath: k.kernelPath, initrdPath: k.initrdPath, kernelParams: ctx.template.os.kernelparam ?? '' };
  await s.run(WRITE_FILE_ARGV('/boot/grub/grub.cfg'), { input: grubConfig(menu) });
  return k;
}
