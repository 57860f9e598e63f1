import { stat } from 'node:fs/promises';
import type { ImageRecord } from '../../domain/image.js';
import type { Catalog } from '../catalog.js';
import { osTitle } from '../store/parent-repository.js';
import { factoryImageView } from './factory-image-view.js';
import { templateFacts } from './template-facts.js';

export interface FactorySyncDeps {
  catalog: Catalog;
  /** Factory image lookups (the container's ImageStore). */
  store: {
    get(id: string): Promise<ImageRecord | undefined>;
    list(filter?: { kind?: 'target_image' | 'provider_image' }): Promise<ImageRecord[]>;
  };
  /** Subscribes to every persisted factory image change. */
  subscribe(listener: (change: { image: ImageRecord }) => void): () => void;
  /** Path of an image's body file (for its size). */
  bodyPath(imageId: string): string;
  /** The body's size where it really lives (an object store); without it the file at bodyPath is measured. */
  bodySize?(imageId: string): Promise<number | undefined>;
  logger: { warn(obj: unknown, msg?: string): void };
}

/**
 * Keeps the catalog in step with the factory: every target and provider image appears, follows its
 * status, and disappears once DELETED. Changes are applied one at a time in arrival order (a single
 * promise chain), so a quick NEW → BUILDING → COMPLETE never lands out of order.
 */
export class FactorySync {
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: FactorySyncDeps) {}

  /** Subscribes first (so nothing is missed), then reconciles with everything already stored. */
  async start(): Promise<void> {
    this.unsubscribe = this.deps.subscribe(({ image }) => this.enqueue(() => this.apply(image)));
    await this.enqueue(() => this.backfill());
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Resolves when every change received so far is applied. */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((e) => this.deps.logger.warn({ err: e }, 'catalog sync failed'));
    return this.chain;
  }

  private async backfill(): Promise<void> {
    const known = await this.deps.catalog.images.factoryIds();
    for (const kind of ['target_image', 'provider_image'] as const) {
      for (const image of await this.deps.store.list({ kind })) {
        known.delete(image.id);
        await this.apply(image);
      }
    }
    for (const rowId of known.values()) await this.deps.catalog.images.delete(rowId);
  }

  async apply(image: ImageRecord): Promise<void> {
    if (image.kind === 'base_image') return;
    const { images } = this.deps.catalog;
    const existing = await images.byFactoryId(image.id);
    if (image.status === 'DELETED') {
      if (existing) await images.delete(existing.id);
      return;
    }
    const view = factoryImageView(image, templateFacts(await this.templateOf(image)));
    const parents = await this.parents(view);
    const fields = {
      name: view.name, state: view.state, minDisk: view.minDisk, uuid: view.uuid,
      size: view.state === 'active' ? await this.sizeOf(image) : 0,
      computeResourceId: parents.cr, operatingsystemId: parents.os, architectureId: parents.arch,
    };
    if (existing) {
      await images.update(existing.id, fields, image.updatedAt);
      await images.metadata.change(existing.id, { upsert: view.metadata });
    } else {
      await images.insert({
        ...fields, minRam: 0, username: 'root', password: null, userData: false, iamRole: null,
        novaId: image.id, factoryId: image.id, factoryKind: image.kind, createdAt: image.createdAt, updatedAt: image.updatedAt,
      }, view.metadata);
    }
  }

  /** Target images carry their template only when created from one; otherwise their base image has it. */
  private async templateOf(image: ImageRecord): Promise<string | null> {
    let current: ImageRecord | undefined = image;
    for (let hops = 0; current && hops < 3; hops++) {
      if (current.template) return current.template;
      const parentId: string | null = current.targetImageId ?? current.baseImageId;
      current = parentId ? await this.deps.store.get(parentId) : undefined;
    }
    return null;
  }

  private async sizeOf(image: ImageRecord): Promise<number> {
    for (const id of [image.id, image.targetImageId]) {
      if (!id) continue;
      const size = this.deps.bodySize
        ? await this.deps.bodySize(id).catch(() => undefined)
        : (await stat(this.deps.bodyPath(id)).catch(() => null))?.size;
      if (size !== undefined) return size;
    }
    return 0;
  }

  private async parents(view: ReturnType<typeof factoryImageView>): Promise<{ cr: number; os: number; arch: number }> {
    const { computeResources, operatingsystems, architectures } = this.deps.catalog;
    const cr = await computeResources.findOrCreate('name', { name: view.computeResource.name, provider: view.computeResource.provider, url: '' });
    const title = osTitle(view.os.name, view.os.major, view.os.minor);
    const os = await operatingsystems.findOrCreate('title', { ...view.os, title, family: null, description: null });
    const arch = await architectures.findOrCreate('name', { name: view.arch });
    return { cr: cr.id, os: os.id, arch: arch.id };
  }
}
