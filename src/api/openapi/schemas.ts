/**
 * JSON schemas of the main response bodies of the four APIs, as the presenters write them
 * (imagefactory/present.ts, nova/present-image.ts, foreman/present-image.ts, hostway/present.ts).
 * They are the route schemas the OpenAPI document is generated from; test/api/openapi.test.ts
 * checks real responses against them, so a presenter change that breaks them fails the tests.
 */
import { IMAGE_STATUSES } from '../../domain/image.js';

type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const obj = { type: 'object' } as const;

/** An image's persistent metadata (create responses, callbacks, the body of a single GET). */
const imageMetadata = (kind: 'base_image' | 'target_image' | 'provider_image', extra: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  required: ['_type', 'id', 'status', 'status_detail', 'percent_complete', 'parameters', 'properties', 'icicle', 'template', 'href', ...required],
  properties: {
    _type: { const: { base_image: 'BaseImage', target_image: 'TargetImage', provider_image: 'ProviderImage' }[kind] },
    id: str,
    status: { enum: [...IMAGE_STATUSES] },
    status_detail: { type: 'object', required: ['activity', 'error'], properties: { activity: str, error: nullableStr } },
    percent_complete: { type: 'number', minimum: 0, maximum: 100 },
    parameters: obj,
    properties: obj,
    icicle: nullableStr,
    template: nullableStr,
    href: str,
    ...extra,
  },
});

const ref = (type: string): Schema => ({ type: 'object', required: ['_type', 'id', 'href'], properties: { _type: { const: type }, id: str, href: str } });
const refList = (collection: string, kind: string, type: string): Schema => ({
  type: 'object', required: [collection],
  properties: { [collection]: { type: 'array', items: { type: 'object', required: [kind], properties: { [kind]: ref(type) } } } },
});

const KIND_FIELDS = {
  base_image: { extra: {}, single: { target_images: refList('target_images', 'target_image', 'TargetImage') } },
  target_image: { extra: { base_image_id: nullableStr, target: str }, single: { base_image: { oneOf: [ref('BaseImage'), ref('TargetImage'), { type: 'null' }] }, provider_images: refList('provider_images', 'provider_image', 'ProviderImage') } },
  provider_image: {
    extra: { target_image_id: nullableStr, target: str, provider: nullableStr, identifier_on_provider: nullableStr, provider_account_identifier: nullableStr, credentials_ref: str },
    single: { target_image: { oneOf: [ref('TargetImage'), { type: 'null' }] } },
  },
} as const;

export type ImageKindName = keyof typeof KIND_FIELDS;

/** 202 of POST /imagefactory/<kind>s: the new image's metadata with its href. */
export function createdImageSchema(kind: ImageKindName): Schema {
  return { type: 'object', required: [kind], additionalProperties: false, properties: { [kind]: imageMetadata(kind, KIND_FIELDS[kind].extra) } };
}

/** GET /imagefactory/<kind>s/{id}: metadata (without the parent id fields) plus relation objects. */
export function imageSchema(kind: ImageKindName): Schema {
  const { base_image_id: _b, target_image_id: _t, ...extra } = KIND_FIELDS[kind].extra as Record<string, Schema>;
  return { type: 'object', required: [kind], additionalProperties: false, properties: { [kind]: imageMetadata(kind, { ...extra, ...KIND_FIELDS[kind].single }) } };
}

/** GET /imagefactory/<kind>s: references only. */
export function imageListSchema(kind: ImageKindName): Schema {
  const collection = `${kind}s`;
  const type = { base_image: 'BaseImage', target_image: 'TargetImage', provider_image: 'ProviderImage' }[kind];
  return { ...refList(collection, kind, type), additionalProperties: false };
}

/** Image Factory's error document (error-handler.ts): a code and a message naming the problem. */
export const imageFactoryError: Schema = {
  type: 'object', required: ['code', 'message'],
  properties: { code: { type: 'integer' }, message: str, status: str },
};

const novaLinks = { type: 'array', items: { type: 'object', required: ['rel', 'href'], properties: { rel: str, href: str, type: str } } };

export const novaImageIndex: Schema = {
  type: 'object', required: ['images'],
  properties: {
    images: { type: 'array', items: { type: 'object', required: ['id', 'name', 'links'], additionalProperties: false, properties: { id: str, name: str, links: novaLinks } } },
    images_links: novaLinks,
  },
};

const novaDetail: Schema = {
  type: 'object',
  required: ['OS-EXT-IMG-SIZE:size', 'created', 'id', 'links', 'metadata', 'minDisk', 'minRam', 'name', 'progress', 'status', 'updated'],
  additionalProperties: false,
  properties: {
    'OS-EXT-IMG-SIZE:size': { type: ['integer', 'null'] },
    created: str, id: str, links: novaLinks, metadata: { type: 'object', additionalProperties: str },
    minDisk: { type: 'integer' }, minRam: { type: 'integer' }, name: str, progress: { type: 'integer' },
    status: { enum: ['ACTIVE', 'SAVING', 'DELETED', 'ERROR', 'UNKNOWN'] }, updated: str,
    'OS-DCF:diskConfig': { enum: ['AUTO', 'MANUAL'] },
    server: { type: 'object', required: ['id', 'links'], properties: { id: str, links: novaLinks } },
  },
};

export const novaImageDetailList: Schema = { type: 'object', required: ['images'], properties: { images: { type: 'array', items: novaDetail }, images_links: novaLinks } };
export const novaImage: Schema = { type: 'object', required: ['image'], additionalProperties: false, properties: { image: novaDetail } };
export const novaFault: Schema = { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'integer' }, message: str } } };

const foremanImage: Schema = {
  type: 'object', required: ['id', 'name'],
  properties: {
    id: { type: 'integer' }, name: str, uuid: str, username: str, user_data: { type: ['boolean', 'null'] }, iam_role: nullableStr,
    operatingsystem_id: { type: 'integer' }, operatingsystem_name: str, compute_resource_id: { type: 'integer' }, compute_resource_name: str,
    architecture_id: { type: 'integer' }, architecture_name: str, created_at: str, updated_at: str,
  },
};
export const foremanImage1: Schema = foremanImage;
export const foremanImageIndex: Schema = {
  type: 'object', required: ['total', 'subtotal', 'page', 'per_page', 'search', 'sort', 'results'],
  properties: {
    total: { type: 'integer' }, subtotal: { type: 'integer' }, page: { type: 'integer' }, per_page: { type: 'integer' },
    search: nullableStr, sort: { type: 'object', properties: { by: nullableStr, order: nullableStr } }, results: { type: 'array', items: foremanImage },
  },
};
export const foremanError: Schema = { type: 'object', required: ['error'], properties: { error: obj } };

const hostwayLinks = novaLinks;
export const hostwayImages: Schema = {
  type: 'object', required: ['images'],
  properties: {
    images: {
      type: 'array',
      items: { type: 'object', required: ['id', 'name', 'links', 'zones'], properties: { id: str, name: str, links: hostwayLinks, zones: { type: 'array', items: str }, status: str, created: str, updated: { type: 'null' } } },
    },
  },
};
