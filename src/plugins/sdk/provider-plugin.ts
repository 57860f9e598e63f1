import type { Tdl } from '../../domain/template/tdl.js';
import type { BuildContext } from './build-context.js';
import type { ParameterSpec } from './target-plugin.js';

/** A kind of provider a target can push to, for /imagefactory/targets/:t/providers. */
export interface ProviderSpec {
  /** Provider id: /imagefactory/targets/:t/providers/:id, and the `type` a provider document may name. */
  id: string;
  description: string;
  /** Fields of the `provider` value (string form: one field `name`). */
  providerFields: ParameterSpec[];
  /** Fields of the credentials document. Never stored, returned or logged. */
  credentialFields: ParameterSpec[];
}

/** The target image a push sends, as the provider sees it. */
export interface PushSource {
  id: string;
  /** The target image body on local disk (streamed from, never read whole). */
  bodyPath: string;
  /** qcow2, raw, vmdk, vhd, tar.gz, ova... as the target plugin recorded it. */
  format: string | null;
  /** The template the image was built from, when known (for names and descriptions). */
  template: Tdl | null;
  properties: Readonly<Record<string, unknown>>;
}

export interface PushContext extends BuildContext {
  target: string;
  /** As the client sent it (a string, or an object). */
  provider: unknown;
  /** The credentials document (inline, or the one a reference named); in memory only. */
  credentials: unknown;
  parameters: Record<string, unknown>;
  targetImage: PushSource;
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

/**
 * Pushes target images to one kind of image service and deletes them again: a provider in Image
 * Factory's sense (ec2-us-east-1, a Glance, a vSphere…). A provider image names its provider by a
 * document's `type` field or a URL scheme the plugin claims; without either, a target's default
 * provider (the first plugin listing the target by name) takes it.
 */
export interface ProviderPlugin extends ProviderSpec {
  /** Target names whose images this provider takes, or '*' for any target (e.g. S3 export). */
  targets: readonly string[] | '*';
  requiredTools: { command: string; debianPackage: string }[];
  /** A plain-string provider value this plugin recognises without a `type` (e.g. `s3://…`, `qemu:///system`). */
  claims?(provider: string): boolean;
  /**
   * Problems with the provider and credential documents (and the push `parameters`, when the
   * plugin reads any), for a 400 before anything is persisted. Never quotes a secret.
   */
  check(target: string, provider: unknown, credentials: unknown, parameters?: Record<string, unknown>): string[];
  push(ctx: PushContext): Promise<PushResult>;
  delete(ctx: DeleteFromProviderContext): Promise<void>;
}
