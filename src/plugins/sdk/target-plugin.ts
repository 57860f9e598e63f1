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

/** A kind of provider a target can push to, for /imagefactory/targets/:t/providers. */
export interface ProviderSpec {
  id: string;
  description: string;
  /** Fields of the `provider` value (string form: one field `name`). */
  providerFields: ParameterSpec[];
  /** Fields of the credentials document. Never stored, returned or logged. */
  credentialFields: ParameterSpec[];
}

export interface TargetSpec {
  /** Target name exactly as Image Factory names it: ec2, openstack-kvm, vsphere... */
  name: string;
  description: string;
  /** The disk/file formats this target can produce. */
  formats: readonly string[];
  parameters: readonly ParameterSpec[];
  providers: readonly ProviderSpec[];
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

export interface PushContext extends BuildContext {
  target: string;
  /** As the client sent it (a string, or an object). */
  provider: unknown;
  /** As the client sent it; in memory only. */
  credentials: unknown;
  parameters: Record<string, unknown>;
  targetImage: { id: string; bodyPath: string; format: string | null; template: Tdl | null; properties: Readonly<Record<string, unknown>> };
}

export interface PushResult {
  identifierOnProvider: string;
  providerAccountIdentifier: string | null;
  properties?: Record<string, unknown>;
}

export interface DeleteFromProviderContext extends BuildContext {
  target: string;
  provider: unknown;
  credentials: unknown;
  identifierOnProvider: string;
}

/** A cloud plugin (Image Factory's cloud delegate): prepares target images and pushes them. */
export interface TargetPlugin {
  id: string;
  info: PluginInfo;
  requiredTools: { command: string; debianPackage: string }[];
  targets: readonly TargetSpec[];
  /** Rejects bad target parameters before anything is persisted; returns problems. */
  checkParameters?(target: string, parameters: Record<string, unknown>): string[];
  createTargetImage(ctx: TargetImageContext): Promise<TargetImageResult>;
  /** Checks provider and credential documents before anything is persisted; returns problems. */
  checkProvider?(target: string, provider: unknown, credentials: unknown): string[];
  push?(ctx: PushContext): Promise<PushResult>;
  deleteFromProvider?(ctx: DeleteFromProviderContext): Promise<void>;
}
