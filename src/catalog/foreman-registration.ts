import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { CatalogImage, CatalogImageFields } from './catalog-image.js';
import type { Catalog } from './catalog.js';

/** Image attributes Foreman permits (concerns/foreman/controller/parameters/image.rb). */
export interface ImageInput {
  name?: unknown; username?: unknown; uuid?: unknown; password?: unknown; user_data?: unknown; iam_role?: unknown;
  compute_resource_id?: unknown; operatingsystem_id?: unknown; architecture_id?: unknown;
  compute_resource_name?: unknown; operatingsystem_name?: unknown; architecture_name?: unknown;
}

/** Validated fields; `password` is absent when an update leaves it unchanged. */
type ValidFields = Omit<CatalogImageFields, 'password'> & { password?: string | null };

const LABELS: Record<string, string> = {
  name: 'Name', username: 'Username', uuid: 'Uuid', password: 'Password', iam_role: 'Iam role',
  operatingsystem_id: 'Operatingsystem', compute_resource_id: 'Compute resource', architecture_id: 'Architecture',
  operatingsystem: 'Operatingsystem', compute_resource: 'Compute resource', architecture: 'Architecture',
};

/**
 * Registers an image that already exists on a compute resource (Foreman's images#create) and edits
 * such images (images#update), with Foreman's validations (app/models/image.rb). The existence of the
 * uuid on the compute resource is not checked: the catalog cannot reach the compute resources.
 */
export class ForemanRegistration {
  constructor(private readonly catalog: Catalog) {}

  async create(input: ImageInput): Promise<CatalogImage> {
    const fields = await this.validate(input, null);
    const now = new Date().toISOString();
    const id = await this.catalog.images.insert({ ...fields, password: fields.password ?? null, novaId: randomUUID(), createdAt: now, updatedAt: now });
    return (await this.catalog.images.byId(id))!;
  }

  async update(image: CatalogImage, input: ImageInput): Promise<CatalogImage> {
    const fields = await this.validate(input, image);
    await this.catalog.images.update(image.id, fields);
    return (await this.catalog.images.byId(image.id))!;
  }

  private async validate(input: ImageInput, current: CatalogImage | null): Promise<ValidFields> {
    const text = (v: unknown, fallback: string | null): string | null =>
      v === undefined ? fallback : v === null ? null : String(v).trim();
    const name = text(input.name, current?.name ?? null);
    const username = text(input.username, current?.username ?? null);
    const uuid = text(input.uuid, current?.uuid ?? null);
    const password = input.password === undefined ? undefined : text(input.password, null);
    const iamRole = text(input.iam_role, current?.iamRole ?? null);
    const crId = await this.parentId('compute_resource', input.compute_resource_id, input.compute_resource_name, current?.computeResource.id);
    const osId = await this.parentId('operatingsystem', input.operatingsystem_id, input.operatingsystem_name, current?.operatingsystem.id);
    const archId = await this.parentId('architecture', input.architecture_id, input.architecture_name, current?.architecture.id);

    const errors: Record<string, string[]> = {};
    const add = (key: string, message: string) => (errors[key] ??= []).push(message);
    for (const [key, value] of Object.entries({ username, operatingsystem_id: osId, compute_resource_id: crId, architecture_id: archId, name, uuid })) {
      if (value === null || value === '') add(key, "can't be blank");
      if (value === 'invalid') add(key, 'is invalid');
    }
    for (const [key, value] of Object.entries({ name, username, uuid, password, iam_role: iamRole })) {
      if (typeof value === 'string' && value.length > 255) add(key, 'is too long (maximum is 255 characters)');
    }
    if (typeof crId === 'number' && !(await this.catalog.computeResources.byId(crId))) add('compute_resource', 'must exist');
    if (typeof osId === 'number' && !(await this.catalog.operatingsystems.byId(osId))) add('operatingsystem', 'must exist');
    if (typeof archId === 'number' && !(await this.catalog.architectures.byId(archId))) add('architecture', 'must exist');
    if (typeof crId === 'number' && typeof osId === 'number' && name && await this.catalog.images.nameTaken(crId, osId, name, current?.id)) add('name', 'has already been taken');
    if (typeof crId === 'number' && uuid && await this.catalog.images.uuidTaken(crId, uuid, current?.id)) add('uuid', 'has already been taken');
    if (Object.keys(errors).length) {
      const full = Object.entries(errors).flatMap(([k, ms]) => ms.map((m) => `${LABELS[k] ?? k} ${m}`));
      throw new AppError('CATALOG_VALIDATION_FAILED', `Validation failed: ${full.join(', ')}`, { details: { fields: errors } });
    }
    return {
      name: name!, username: username!, uuid: uuid!,
      ...(password !== undefined || !current ? { password: password ?? null } : {}),
      userData: input.user_data === undefined ? (current?.userData ?? false) : isTrue(input.user_data),
      iamRole,
      computeResourceId: crId as number, operatingsystemId: osId as number, architectureId: archId as number,
      state: current?.state ?? 'active',
      size: current?.size ?? 0, minDisk: current?.minDisk ?? 0, minRam: current?.minRam ?? 0,
    };
  }

  /** An id (numeric, or "12-name"), else a `*_name` lookup; unknown names are Foreman's plain 422. */
  private async parentId(kind: 'compute_resource' | 'operatingsystem' | 'architecture', id: unknown, name: unknown, fallback?: number): Promise<number | null | 'invalid'> {
    if (id !== undefined && id !== null && id !== '') {
      const m = /^(\d+)(-.*)?$/.exec(String(id).trim());
      return m ? Number(m[1]) : 'invalid';
    }
    if (name !== undefined && name !== null && name !== '') {
      const repo = kind === 'compute_resource' ? this.catalog.computeResources : kind === 'operatingsystem' ? this.catalog.operatingsystems : this.catalog.architectures;
      const row = await repo.by(kind === 'operatingsystem' ? 'title' : 'name', String(name));
      if (!row) throw new AppError('CATALOG_VALIDATION_FAILED', `Could not find ${kind} with name: ${String(name)}`);
      return row.id;
    }
    if (id === null || id === '') return null;
    return fallback ?? null;
  }
}

function isTrue(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && ['true', '1', 't', 'yes', 'on'].includes(v.toLowerCase()));
}
