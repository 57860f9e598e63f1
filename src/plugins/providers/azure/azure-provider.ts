import { readProviderDocument, type FieldMap } from '../../sdk/provider-documents.js';

/** Where a gallery image version goes (Azure Compute Gallery), instead of a managed image. */
export interface GalleryTarget {
  gallery: string;
  /** The image definition inside the gallery (it must exist: it fixes OS type, generation, publisher/offer/sku). */
  image: string;
  /** Major.Minor.Patch. */
  version: string;
}

/** An Azure provider document, read and checked. */
export interface AzureProvider {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  storageAccount: string;
  /** The storage account's resource group (for a gallery version's source storageAccountId). */
  storageAccountResourceGroup: string;
  container: string;
  /** https://ACCOUNT.blob.core.windows.net unless overridden (Azurite: http://127.0.0.1:10000/devstoreaccount1). */
  blobEndpoint: string;
  /** https://management.azure.com unless overridden (sovereign clouds, Azure Stack Hub, tests). */
  armEndpoint: string;
  /** https://login.microsoftonline.com unless overridden. */
  authorityHost: string;
  /** Extra PEM CA certificate(s) trusted for these endpoints (private clouds with their own CA). */
  caCertificate?: string;
  imageName?: string;
  gallery?: GalleryTarget;
  hyperVGeneration: 'V1' | 'V2';
  osType: 'Linux' | 'Windows';
  /** Page uploads in flight at once. */
  concurrency: number;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// ARM naming rules (learn.microsoft.com "Naming rules and restrictions for Azure resources").
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const LOCATION = /^[a-z][a-z0-9]{1,40}$/;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;
const IMAGE_NAME = /^[a-zA-Z0-9](?:[-\w.]{0,78}[\w])?$/;
const GALLERY_NAME = /^[a-zA-Z0-9](?:[\w.]{0,78}[a-zA-Z0-9])?$/;
const GALLERY_IMAGE = /^[a-zA-Z0-9](?:[-\w.]{0,78}[a-zA-Z0-9])?$/;
const VERSION = /^\d{1,10}\.\d{1,10}\.\d{1,10}$/;

/** Keys a provider image's parameters may set instead of the provider document. */
export const PARAMETER_KEYS = ['image_name', 'gallery', 'gallery_image', 'gallery_image_version', 'hyper_v_generation', 'concurrency'] as const;

/**
 * Reads the provider document (JSON object or `<provider type="azure" subscription_id=".." .../>`).
 * Per-push choices (image name, gallery version, generation) may also come from the parameters.
 */
export function readAzureProvider(provider: unknown, parameters: Record<string, unknown> = {}): { provider?: AzureProvider; problems: string[] } {
  if (typeof provider === 'string' && !/^\s*[{<]/.test(provider)) {
    return { problems: ['the provider must be a JSON object or an XML element with subscription_id, resource_group, location and storage_account'] };
  }
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f: FieldMap = { ...read.fields };
  for (const k of PARAMETER_KEYS) {
    const v = parameters[k];
    if (typeof v === 'string' || typeof v === 'number') f[k] = String(v);
  }
  const problems: string[] = [];
  const need = (name: string, re: RegExp, what: string): string => {
    const v = f[name]?.trim();
    if (!v) problems.push(`provider field ${name} is required (${what})`);
    else if (!re.test(v)) problems.push(`provider field ${name} is not a valid ${what}`);
    return v ?? '';
  };
  const optional = (name: string, re: RegExp, what: string): string | undefined => {
    const v = f[name]?.trim();
    if (!v) return undefined;
    if (!re.test(v)) problems.push(`provider field ${name} is not a valid ${what}`);
    return v;
  };
  const subscriptionId = need('subscription_id', GUID, 'subscription id (a GUID)');
  const resourceGroup = need('resource_group', RESOURCE_GROUP, 'resource group name');
  const location = need('location', LOCATION, 'Azure location (e.g. westeurope)');
  const storageAccount = need('storage_account', STORAGE_ACCOUNT, 'storage account name (3-24 lowercase letters and digits)');
  const storageAccountResourceGroup = optional('storage_account_resource_group', RESOURCE_GROUP, 'resource group name') ?? resourceGroup;
  const container = optional('container', CONTAINER, 'blob container name (3-63 lowercase letters, digits and single hyphens)') ?? 'vhds';
  const blobEndpoint = url(f.blob_endpoint, 'blob_endpoint', problems) ?? `https://${storageAccount}.blob.core.windows.net`;
  const armEndpoint = url(f.arm_endpoint, 'arm_endpoint', problems) ?? 'https://management.azure.com';
  const authorityHost = url(f.authority_host, 'authority_host', problems) ?? 'https://login.microsoftonline.com';
  if (!armEndpoint.startsWith('https:')) problems.push('provider field arm_endpoint must be an https URL (Azure SDKs send bearer tokens only over TLS)');
  if (!authorityHost.startsWith('https:')) problems.push('provider field authority_host must be an https URL');
  const caCertificate = f.ca_certificate?.trim() || undefined;
  if (caCertificate && !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(caCertificate)) {
    problems.push('provider field ca_certificate must hold PEM certificate(s)');
  }
  const imageName = optional('image_name', IMAGE_NAME, 'image name (1-80 letters, digits, _ . -)');
  const galleryName = optional('gallery', GALLERY_NAME, 'gallery name (letters, digits, _ and .)');
  const galleryImage = optional('gallery_image', GALLERY_IMAGE, 'gallery image definition name');
  const galleryVersion = optional('gallery_image_version', VERSION, 'gallery image version (Major.Minor.Patch)');
  let gallery: GalleryTarget | undefined;
  if (galleryName || galleryImage || galleryVersion) {
    if (!galleryName || !galleryImage || !galleryVersion) problems.push('a gallery image version needs all of gallery, gallery_image and gallery_image_version');
    else gallery = { gallery: galleryName, image: galleryImage, version: galleryVersion };
    if (imageName) problems.push('give either image_name (a managed image) or gallery, gallery_image and gallery_image_version, not both');
  }
  const generation = (f.hyper_v_generation ?? f.hyperVGeneration ?? 'V1').toUpperCase();
  if (generation !== 'V1' && generation !== 'V2') problems.push('provider field hyper_v_generation must be V1 or V2');
  const os = (f.os_type ?? f.osType ?? 'Linux').toLowerCase();
  if (os !== 'linux' && os !== 'windows') problems.push('provider field os_type must be Linux or Windows');
  const concurrency = f.concurrency === undefined ? 8 : Number(f.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) problems.push('concurrency must be a whole number from 1 to 64');
  if (problems.length) return { problems };
  return {
    provider: {
      subscriptionId, resourceGroup, location, storageAccount, storageAccountResourceGroup, container,
      blobEndpoint, armEndpoint, authorityHost, caCertificate, imageName, gallery,
      hyperVGeneration: generation as 'V1' | 'V2', osType: os === 'linux' ? 'Linux' : 'Windows', concurrency,
    },
    problems,
  };
}

function url(value: string | undefined, name: string, problems: string[]): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    if (u.username || u.password || u.search || u.hash) throw new Error('parts');
    return u.href.replace(/\/+$/, '');
  } catch {
    problems.push(`provider field ${name} must be an http(s) URL without credentials, query or fragment`);
    return undefined;
  }
}
