import { IMAGE_CLASS, type ImageRecord } from './image.js';

/**
 * The original's persistent metadata of an image (imagefactory-api.md §5.1), minus `identifier` and
 * `data`: what create responses and callbacks show. Passwords inside URLs (e.g. callback URLs with
 * user:pass@) are redacted wherever parameters are echoed (D30).
 */
export function imageMetadata(image: ImageRecord): Record<string, unknown> {
  const common: Record<string, unknown> = {
    _type: IMAGE_CLASS[image.kind],
    id: image.id,
    status: image.status,
    status_detail: { activity: image.statusDetail.activity, error: image.statusDetail.error },
    percent_complete: image.percentComplete,
    parameters: redactUrlPasswords(image.parameters),
    properties: image.properties,
    icicle: image.icicle,
    template: image.template,
  };
  if (image.kind === 'target_image') {
    common.base_image_id = image.baseImageId;
    common.target = image.target;
  } else if (image.kind === 'provider_image') {
    common.target_image_id = image.targetImageId;
    common.target = image.target;
    common.provider = image.provider;
    common.identifier_on_provider = image.identifierOnProvider;
    common.provider_account_identifier = image.providerAccountIdentifier;
    // The name of the daemon-kept credential set, never its contents; absent for inline credentials.
    if (image.credentialsRef) common.credentials_ref = image.credentialsRef;
  }
  return common;
}

const URL_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi;

export function redactUrlPasswords<T>(value: T): T {
  if (typeof value === 'string') return value.replace(URL_WITH_PASSWORD, '$1:REDACTED@') as T;
  if (Array.isArray(value)) return value.map(redactUrlPasswords) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactUrlPasswords(v)])) as T;
  }
  return value;
}
