import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import type { Tdl } from '../../domain/template/tdl.js';
import { readCredentialRef } from '../../domain/credential-ref.js';
import type { BuildScheduler } from '../ports/build-scheduler.js';
import type { CredentialStore } from '../ports/credential-store.js';
import type { ImageStore } from '../ports/image-store.js';
import type { PluginCatalog } from '../ports/plugin-catalog.js';
import { newImageRecord } from './new-image-record.js';
import { resolveTemplate, type TemplateFetcher } from './template-source.js';

export interface CreateImageDeps {
  store: ImageStore;
  plugins: PluginCatalog;
  engine: BuildScheduler;
  credentials: CredentialStore;
  fetchTemplate: TemplateFetcher;
  rootpwRequired: boolean;
  /** False in build_mode queue: a push runs on a worker, so inline credentials would have to be stored. */
  inlineCredentials?: boolean;
}

export interface CreateRequest {
  template?: unknown;
  parameters: Record<string, unknown>;
  baseImageId?: string;
  targetImageId?: string;
  target?: unknown;
  provider?: unknown;
  credentials?: unknown;
}

/** Targets an `ova` image may package (its base_image_id names a target image of these). */
const OVA_SOURCES = new Set(['rhevm', 'vsphere', 'hyperv']);

/**
 * Creates images. Everything is validated before anything is persisted; the records of a cascade
 * (template → base → target → provider) are inserted together, then their builds start.
 */
export class ImageCreator {
  constructor(private readonly deps: CreateImageDeps) {}

  /**
   * Checks a template exactly as a build request would (same parser, same OS plugin check) without
   * creating anything: the dashboard's editor validates as the user types.
   */
  async validateTemplate(template: unknown): Promise<Tdl> {
    const { tdl } = await resolveTemplate(template, this.deps);
    this.checkOs(tdl);
    return tdl;
  }

  async createBaseImage(req: CreateRequest): Promise<ImageRecord> {
    const base = await this.planBase(req.template, req.parameters);
    return this.persistAndStart([base]);
  }

  async createTargetImage(req: CreateRequest): Promise<ImageRecord[]> {
    const records = await this.planTarget(req);
    await this.persistAndStart(records);
    return records;
  }

  async createProviderImage(req: CreateRequest): Promise<ImageRecord[]> {
    const missing = req.provider === undefined || req.provider === '' || req.credentials === undefined || req.credentials === '' || req.target === undefined || req.target === '';
    if (missing) {
      throw new AppError('REQUEST_INVALID', `Missing key/value pair: provider(${req.provider ? describe(req.provider) : 'None'}), credentials(${req.credentials ? 'REDACTED' : 'None'}), target(${req.target ? describe(req.target) : 'None'})`);
    }
    if (isTruthy(req.parameters.snapshot)) {
      throw new AppError('REQUEST_INVALID', 'snapshot builds (parameters.snapshot) are not supported: build a target image and push it instead');
    }
    const target = this.checkTarget(req.target);
    const chosen = this.deps.plugins.providerFor(target, req.provider);
    if (!chosen.plugin) throw new AppError('REQUEST_INVALID', `provider: ${chosen.problem}`);
    const { credentials, credentialsRef } = resolveCredentials(req.credentials, this.deps.credentials);
    if (!credentialsRef && this.deps.inlineCredentials === false) {
      throw new AppError('REQUEST_INVALID', 'credentials: inline credentials are refused in build_mode "queue" (a worker runs the push, so they would have to be stored); name a credential set instead: {"ref": "NAME"}');
    }
    const problems = chosen.plugin.check(target, req.provider, credentials, req.parameters);
    if (problems.length) throw new AppError('REQUEST_INVALID', `provider: ${problems.join('; ')}`);

    let chain: ImageRecord[] = [];
    let targetImageId = req.targetImageId;
    if (req.targetImageId && req.template !== undefined) {
      throw new AppError('REQUEST_INVALID', 'give either target_image_id or template, not both');
    }
    if (targetImageId) {
      const existing = await this.deps.store.get(targetImageId);
      if (!existing || existing.kind !== 'target_image' || isGoing(existing)) throw new AppError('IMAGE_NOT_FOUND', `No TargetImage found with id: ${targetImageId}${existing && isGoing(existing) ? ' (it is being deleted)' : ''}`);
      if (existing.target !== target) throw new AppError('REQUEST_INVALID', `target image ${targetImageId} was built for target ${existing.target}, not ${target}`);
    } else {
      chain = await this.planTarget({ ...req, target });
      targetImageId = chain[chain.length - 1].id;
    }
    const provider = newImageRecord('provider_image', {
      targetImageId, target, provider: typeof req.provider === 'string' ? req.provider : JSON.stringify(req.provider),
      parameters: req.parameters, credentialsRef,
    });
    // With a reference the build reads the set itself (also after a restart); inline ones stay in memory.
    await this.persistAndStart([...chain, provider], credentialsRef ? undefined : credentials);
    return [...chain, provider];
  }

  private async planBase(template: unknown, parameters: Record<string, unknown>): Promise<ImageRecord> {
    const { xml, tdl } = await resolveTemplate(template, this.deps);
    this.checkOs(tdl);
    return newImageRecord('base_image', { template: xml, parameters });
  }

  /** The records a target POST creates: [base?, target]. */
  private async planTarget(req: CreateRequest): Promise<ImageRecord[]> {
    const target = this.checkTarget(req.target);
    const plugin = this.deps.plugins.targetPluginFor(target)!;
    const problems = plugin.checkParameters?.(target, req.parameters) ?? [];
    if (problems.length) throw new AppError('REQUEST_INVALID', `parameters: ${problems.join('; ')}`);
    if (req.baseImageId && req.template !== undefined) {
      throw new AppError('REQUEST_INVALID', 'give either base_image_id or template, not both');
    }
    if (target === 'ova') {
      if (!req.baseImageId) throw new AppError('REQUEST_INVALID', 'target ova packages an existing rhevm, vsphere or hyperv target image: give its id as base_image_id');
      const source = await this.deps.store.get(req.baseImageId);
      if (!source || source.kind !== 'target_image' || isGoing(source)) throw new AppError('IMAGE_NOT_FOUND', `No TargetImage found with id: ${req.baseImageId}${source && isGoing(source) ? ' (it is being deleted)' : ''}`);
      if (!OVA_SOURCES.has(source.target ?? '')) throw new AppError('REQUEST_INVALID', `target ova needs a rhevm, vsphere or hyperv target image; ${source.id} is a ${source.target} image`);
      return [newImageRecord('target_image', { baseImageId: source.id, target, template: source.template, parameters: req.parameters })];
    }
    if (req.baseImageId) {
      const base = await this.deps.store.get(req.baseImageId);
      if (!base || base.kind !== 'base_image' || isGoing(base)) throw new AppError('IMAGE_NOT_FOUND', `No BaseImage found with id: ${req.baseImageId}${base && isGoing(base) ? ' (it is being deleted)' : ''}`);
      // The manual shows a target image's template: the one its base image was built from.
      return [newImageRecord('target_image', { baseImageId: base.id, target, template: base.template, parameters: req.parameters })];
    }
    if (req.template === undefined) {
      throw new AppError('REQUEST_INVALID', 'target_image needs base_image_id or template');
    }
    const base = await this.planBase(req.template, req.parameters);
    return [base, newImageRecord('target_image', { baseImageId: base.id, target, template: base.template, parameters: req.parameters })];
  }

  private checkTarget(value: unknown): string {
    const loaded = this.deps.plugins.targets().map((t) => t.spec.name);
    if (typeof value !== 'string' || !value) {
      throw new AppError('TARGET_UNKNOWN', `target is missing; loaded targets: ${loaded.join(', ')}`);
    }
    if (!this.deps.plugins.targetPluginFor(value)) {
      throw new AppError('TARGET_UNKNOWN', `Unknown target "${value}"; loaded targets: ${loaded.join(', ')}`);
    }
    return value;
  }

  private checkOs(tdl: Tdl): void {
    const plugin = this.deps.plugins.osPluginFor(tdl);
    if (!plugin) {
      const supported = this.deps.plugins.entries().filter((e) => e.info.type === 'os').flatMap((e) => e.info.targets.map((t) => t[0]));
      throw new AppError('OS_UNSUPPORTED', `No OS plugin supports ${tdl.os.name} ${tdl.os.version} ${tdl.os.arch}; supported OS names: ${supported.join(', ')}`);
    }
    const problems = plugin.check(tdl);
    if (problems.length) throw new AppError('OS_UNSUPPORTED', problems.join('; '));
  }

  private async persistAndStart(records: ImageRecord[], credentials?: unknown): Promise<ImageRecord> {
    await this.deps.store.insertMany(records);
    for (const r of records) this.deps.engine.start(r, r.kind === 'provider_image' ? credentials : undefined);
    return records[records.length - 1];
  }
}

/**
 * Inline credentials as sent, or the set a reference names. A reference is kept on the record; the
 * secrets never are.
 */
export function resolveCredentials(value: unknown, store: CredentialStore): { credentials: unknown; credentialsRef: string | null } {
  const read = readCredentialRef(value);
  if (read.problem !== undefined) throw new AppError('REQUEST_INVALID', read.problem);
  if (read.ref === null) return { credentials: value, credentialsRef: null };
  const credentials = store.get(read.ref);
  if (credentials === undefined) {
    const known = store.names();
    throw new AppError('REQUEST_INVALID', `credentials.ref: no credential set named "${read.ref}" is defined${known.length ? ` (defined: ${known.join(', ')})` : ' (the daemon has none: see credentials_file)'}`);
  }
  return { credentials, credentialsRef: read.ref };
}

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isTruthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes)$/i.test(v));
}

/** A parent being deleted cannot get new children (they would be orphans the moment it is gone). */
function isGoing(image: ImageRecord): boolean {
  return image.status === 'DELETING' || image.status === 'DELETED';
}
