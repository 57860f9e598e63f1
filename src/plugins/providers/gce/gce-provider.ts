import { readProviderDocument } from '../../sdk/provider-documents.js';

/** Where and how a GCE push stores the archive and registers the image. */
export interface GceProvider {
  /** Project that receives the image (default: the service account key's project_id). */
  project?: string;
  bucket: string;
  objectName?: string;
  imageName?: string;
  family?: string;
  description?: string;
  labels: Record<string, string>;
  guestOsFeatures: string[];
  licenses: string[];
  storageLocations: string[];
  architecture?: 'X86_64' | 'ARM64';
  /** Endpoint overrides (tests, Private Service Connect): origins such as https://storage-psc.p.googleapis.com. */
  storageEndpoint?: string;
  computeEndpoint?: string;
  /** Bytes per resumable-upload request (a multiple of 256 KiB), or 0 for one streamed request. */
  chunkSize: number;
  /** Retries of a failed request (transient failures only). */
  retries: number;
}

export const GUEST_OS_FEATURES = [
  'VIRTIO_SCSI_MULTIQUEUE', 'UEFI_COMPATIBLE', 'GVNIC', 'SECURE_BOOT', 'MULTI_IP_SUBNET', 'WINDOWS', 'SEV_CAPABLE', 'SEV_SNP_CAPABLE',
  'SEV_LIVE_MIGRATABLE', 'SEV_LIVE_MIGRATABLE_V2', 'SUSPEND_RESUME_COMPATIBLE', 'TDX_CAPABLE', 'IDPF',
];
export const RESOURCE_NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const PROJECT_RE = /^[a-z][-a-z0-9.:]{4,61}[a-z0-9]$/;
const LABEL_KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;
const REGION_RE = /^[a-z]+(?:-[a-z]+)*[0-9]+$/;
const ZONE_RE = /^([a-z]+(?:-[a-z]+)*[0-9]+)-[a-z]$/;
const QUANTUM = 256 * 1024;
/** 0: the whole archive in one streamed request (Google's advice when the size is known). */
export const DEFAULT_CHUNK_SIZE = 0;

/**
 * Reads the provider: a bucket name (`my-bucket`, the CLI's `@my-bucket`, or `gs://my-bucket`), or a
 * JSON/XML document `{"bucket", "project", "object_name", "image_name", "family", "description",
 * "labels", "guest_os_features", "licenses", "storage_locations", "region"|"zone", "architecture",
 * "storage_endpoint", "compute_endpoint", "chunk_size_mib", "retries"}`. Lists may be arrays or comma-separated
 * text; labels an object or `k=v,k2=v2`.
 */
export function readGceProvider(provider: unknown): { provider?: GceProvider; problems: string[] } {
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const raw = rawObject(provider);
  const problems: string[] = [];
  const bucketText = (f.bucket ?? f.name ?? '').replace(/^@/, '').replace(/^gs:\/\//, '').replace(/\/+$/, '');
  if (!bucketText) problems.push('bucket is required (the Cloud Storage bucket that receives the image archive)');
  else if (!BUCKET_RE.test(bucketText) || bucketText.includes('..')) problems.push(`bucket "${bucketText}" is not a valid Cloud Storage bucket name`);
  const project = f.project || f.project_id || undefined;
  if (project !== undefined && !PROJECT_RE.test(project)) problems.push(`project "${project}" is not a valid project id`);
  const objectName = f.object_name || f.gce_object_name || undefined;
  if (objectName !== undefined && (Buffer.byteLength(objectName) > 1024 || /[\r\n]/.test(objectName) || objectName.startsWith('.well-known/acme-challenge/'))) problems.push('object_name is not a valid Cloud Storage object name');
  const imageName = f.image_name || f.gce_image_name || undefined;
  if (imageName !== undefined && !RESOURCE_NAME_RE.test(imageName)) problems.push(`image_name "${imageName}": lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`);
  const family = f.family || f.image_family || f.gce_image_family || undefined;
  if (family !== undefined && !RESOURCE_NAME_RE.test(family)) problems.push(`family "${family}": lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`);
  const labels = readLabels(raw?.labels ?? f.labels, problems);
  const guestOsFeatures = readList(raw?.guest_os_features ?? f.guest_os_features).map((s) => s.toUpperCase());
  for (const g of guestOsFeatures) if (!GUEST_OS_FEATURES.includes(g)) problems.push(`guest_os_features: unknown feature "${g}" (expected ${GUEST_OS_FEATURES.join(', ')})`);
  const licenses = readList(raw?.licenses ?? f.licenses);
  for (const l of licenses) if (!/^(?:https:\/\/[^\s]+\/)?projects\/[^/\s]+\/global\/licenses\/[a-z0-9-]+$/.test(l)) problems.push(`licenses: "${l}" is not a license URL (projects/P/global/licenses/NAME)`);
  let storageLocations = readList(raw?.storage_locations ?? f.storage_locations).map((s) => s.toLowerCase());
  for (const s of storageLocations) if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(s)) problems.push(`storage_locations: "${s}" is not a location`);
  const zone = f.zone || undefined;
  let region = f.region || undefined;
  if (zone !== undefined) {
    const z = ZONE_RE.exec(zone);
    if (!z) problems.push(`zone "${zone}" is not a zone name (e.g. us-central1-a)`);
    else if (region !== undefined && region !== z[1]) problems.push(`zone ${zone} is not in region ${region}`);
    else region = z[1];
  }
  if (region !== undefined && !REGION_RE.test(region)) problems.push(`region "${region}" is not a region name (e.g. us-central1)`);
  // Without explicit storage locations, the image is stored in the provider's region.
  if (!storageLocations.length && region) storageLocations = [region];
  let architecture: GceProvider['architecture'];
  if (f.architecture !== undefined && f.architecture !== '') {
    const a = f.architecture.toUpperCase().replace('AARCH64', 'ARM64').replace('AMD64', 'X86_64');
    if (a === 'X86_64' || a === 'ARM64') architecture = a;
    else problems.push('architecture must be X86_64 or ARM64');
  }
  const storageEndpoint = readEndpoint(f.storage_endpoint, 'storage_endpoint', problems);
  const computeEndpoint = readEndpoint(f.compute_endpoint, 'compute_endpoint', problems);
  let chunkSize = DEFAULT_CHUNK_SIZE;
  if (f.chunk_size_kib !== undefined || f.chunk_size_mib !== undefined) {
    const bytes = f.chunk_size_kib !== undefined ? Number(f.chunk_size_kib) * 1024 : Number(f.chunk_size_mib) * 1024 * 1024;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes % QUANTUM !== 0 || bytes > 1024 * 1024 * 1024) problems.push('chunk size must be 0 (one streamed request) or a multiple of 256 KiB up to 1 GiB');
    else chunkSize = bytes;
  }
  let retries = 6;
  if (f.retries !== undefined && f.retries !== '') {
    retries = Number(f.retries);
    if (!Number.isInteger(retries) || retries < 0 || retries > 20) problems.push('retries must be a whole number from 0 to 20');
  }
  if (problems.length) return { problems };
  return {
    provider: {
      project, bucket: bucketText, objectName, imageName, family, description: f.description || undefined, labels, guestOsFeatures,
      licenses, storageLocations, architecture, storageEndpoint, computeEndpoint, chunkSize, retries,
    },
    problems,
  };
}

/** The provider value as a plain object, when it was one (JSON text or an object): lists and labels may be structured there. */
function rawObject(provider: unknown): Record<string, unknown> | null {
  let v = provider;
  if (typeof v === 'string' && v.trim().startsWith('{')) { try { v = JSON.parse(v); } catch { return null; } }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;
}

function readList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  return [];
}

function readLabels(v: unknown, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null || v === '') return out;
  const entries: [string, unknown][] = typeof v === 'string'
    ? v.split(',').map((p) => p.trim()).filter(Boolean).map((p) => [p.slice(0, p.indexOf('=') < 0 ? p.length : p.indexOf('=')).trim(), p.indexOf('=') < 0 ? '' : p.slice(p.indexOf('=') + 1).trim()])
    : typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>) : [];
  if (!entries.length && typeof v !== 'string') problems.push('labels must be an object or k=v,k2=v2 text');
  for (const [k, val] of entries) {
    const value = String(val ?? '');
    if (!LABEL_KEY_RE.test(k)) problems.push(`labels: key "${k}" must be lowercase letters, digits, _ or -, starting with a letter`);
    else if (!LABEL_VALUE_RE.test(value)) problems.push(`labels: value of ${k} must be lowercase letters, digits, _ or -, at most 63`);
    else out[k] = value;
  }
  return out;
}

function readEndpoint(v: string | undefined, name: string, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    if (u.pathname !== '/' || u.search || u.username || u.password) { problems.push(`${name} must be an origin (scheme, host and port only)`); return undefined; }
    return u.origin;
  } catch {
    problems.push(`${name} must be an http(s) URL`);
    return undefined;
  }
}
