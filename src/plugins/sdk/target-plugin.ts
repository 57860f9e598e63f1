import type { Tdl } from '../../domain/template/tdl.js';
import type { BuildContext } from './build-context.js';
import type { PluginInfo } from './plugin-info.js';

/** A parameter a target or provider understands, for /imagefactory/targets and validation. */
export interface ParameterSpec {
  name: string;
  description: string;
  default?: unknown;
  /** Allowed values, when the parameter is an enumeration. */
  values?: readonly string[];
}

export interface TargetSpec {
  /** Target name exactly as Image Factory names it: ec2, openstack-kvm, vsphere... */
  name: string;
  description: string;
  /** The disk/file formats this target can produce. */
  formats: readonly string[];
  parameters: readonly ParameterSpec[];
}

export interface BaseImageInput {
  id: string;
  /** Raw bootable disk. */
  diskPath: string;
  /** Tar of the root filesystem, when the base image has one. */
  rootfsTarPath: string | null;
  template: Tdl | null;
}

export interface TargetImageContext extends BuildContext {
  target: string;
  parameters: Record<string, unknown>;
  /** Daemon configuration keys (e.g. openstack_image_format, rhevm_image_format). */
  config: Readonly<Record<string, unknown>>;
  base: BaseImageInput;
  /** For the ova target: the target image it packages (a rhevm, vsphere or hyperv one). */
  sourceTargetImage?: { id: string; target: string; bodyPath: string; parameters: Record<string, unknown> };
  /** Where the target image body must be written. */
  outputPath: string;
}

export interface TargetImageResult {
  /** Format of the body written to outputPath (qcow2, vmdk, vhd, ova, tar.gz...). */
  format: string;
  properties?: Record<string, unknown>;
}

/**
 * A cloud plugin (Image Factory's cloud delegate): prepares target images. Pushing them is the job of
 * provider plugins (provider-plugin.ts), so one provider (libvirt, S3) can take several targets.
 */
export interface TargetPlugin {
  id: string;
  info: PluginInfo;
  requiredTools: { command: string; debianPackage: string }[];
  targets: readonly TargetSpec[];
  /** Rejects bad target parameters before anything is persisted; returns problems. */
  checkParameters?(target: string, parameters: Record<string, unknown>): string[];
  createTargetImage(ctx: TargetImageContext): Promise<TargetImageResult>;
}
