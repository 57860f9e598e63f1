import type { Tdl, InstalledPackage } from '../../domain/template/tdl.js';
import type { BuildContext } from './build-context.js';
import type { PluginInfo } from './plugin-info.js';

/** Files a base image build leaves behind; the core owns their paths. */
export interface BaseImageOutputs {
  /** The bootable disk, raw format. This becomes the base image's body. */
  diskPath: string;
  /** Uncompressed tar of the root filesystem (used by container targets and the cache). */
  rootfsTarPath: string;
}

export interface BaseImageContext extends BuildContext {
  template: Tdl;
  /** The TDL text as the user gave it. */
  templateXml: string;
  parameters: Record<string, unknown>;
  outputs: BaseImageOutputs;
}

export interface BaseImageResult {
  /** Installed packages, for the ICICLE and the SBOM. Empty when not generated. */
  packages: InstalledPackage[];
  /** Extra facts to keep on the image (kernel version, boot mode, partition layout...). */
  properties: Record<string, unknown>;
  /**
   * False when the disk cannot boot (e.g. no kernel in the repository it was installed from); the
   * core then skips the boot test and says why. Absent means bootable.
   */
  bootable?: boolean;
  /** Kernel command line to use for the boot test (the plugin knows its layout). */
  bootTest?: { kernelParams?: string };
}

/** An OS plugin (Image Factory's OS delegate): installs an OS into a bootable disk. */
export interface OsPlugin {
  /** Plugin id as shown under /imagefactory/plugins (Image Factory's plugin directory name). */
  id: string;
  info: PluginInfo;
  /** Executables this plugin needs on PATH; a missing one is reported with the package to install. */
  requiredTools: { command: string; debianPackage: string }[];
  /**
   * Checks a template this plugin matched, before anything is persisted. Returns problems
   * (unsupported version, arch or install type...); an empty list means acceptable.
   */
  check(template: Tdl): string[];
  createBaseImage(ctx: BaseImageContext): Promise<BaseImageResult>;
}
