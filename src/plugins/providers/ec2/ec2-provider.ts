import { readBoolean, readProviderDocument } from '../../sdk/provider-documents.js';
import { readEndpoint } from '../aws/aws-endpoint.js';
import { CURRENT_REGIONS, REGION_SHAPE, regionOf } from './ec2-regions.js';

export type BootMode = 'legacy-bios' | 'uefi' | 'uefi-preferred';
export type Architecture = 'x86_64' | 'arm64' | 'i386';

/** Where and how an EC2 push registers its AMI. */
export interface Ec2Provider {
  region: string;
  /** Endpoint overrides (private regions, tests); absent = the SDK's own resolution. */
  endpoints: { ec2?: string; ebs?: string; s3?: string };
  s3ForcePathStyle: boolean;
  amiName?: string;
  amiDescription?: string;
  tags: Record<string, string>;
  bootMode?: BootMode;
  enaSupport: boolean;
  architecture?: Architecture;
  rootDeviceName: string;
  volumeType: string;
  /** The bucket the optional S3 + ImportSnapshot path stages the disk in. */
  importBucket?: string;
}

const BOOT_MODES: BootMode[] = ['legacy-bios', 'uefi', 'uefi-preferred'];
const ARCHITECTURES: Architecture[] = ['x86_64', 'arm64', 'i386'];
const VOLUME_TYPES = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'];
export const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AMI_NAME_RE = /^[A-Za-z0-9()[\] ./'@_-]{3,128}$/;

/**
 * Reads an EC2 provider: the original's names (`ec2-us-east-1`), a bare region (`eu-north-1`), or
 * a JSON object / XML element (`<provider region="…" endpoint="…"/>`) with `name` or `region`,
 * endpoint overrides (`endpoint` — or the original's `host` —, `ebs_endpoint`, `s3_endpoint`,
 * `s3_force_path_style`), `ami_name`, `ami_description`, `tags`, `boot_mode`, `ena_support`,
 * `architecture`, `root_device_name`, `volume_type` and `import_bucket`.
 */
export function readEc2Provider(provider: unknown): { provider?: Ec2Provider; problems: string[] } {
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  const endpoints = {
    ec2: readEndpoint(f.endpoint ?? f.ec2_endpoint ?? f.host, 'endpoint', problems),
    ebs: readEndpoint(f.ebs_endpoint, 'ebs_endpoint', problems),
    s3: readEndpoint(f.s3_endpoint, 's3_endpoint', problems),
  };
  const overridden = Boolean(endpoints.ec2 || endpoints.ebs);
  const regionText = f.region ?? f.name;
  let region = '';
  if (!regionText) problems.push('the provider needs a region: "ec2-<region>" or {"region": "…"}');
  else {
    region = regionOf(regionText);
    if (!REGION_SHAPE.test(region)) problems.push(`"${regionText}" is not an EC2 region name (e.g. ec2-us-east-1 or eu-north-1)`);
    else if (!overridden && !CURRENT_REGIONS.includes(region)) {
      problems.push(`unknown EC2 region "${region}"; known regions: ${CURRENT_REGIONS.join(', ')} (a private region needs an endpoint override)`);
    }
  }
  const pathStyle = readBoolean(f.s3_force_path_style);
  if (f.s3_force_path_style !== undefined && pathStyle === undefined) problems.push('s3_force_path_style must be true or false');
  const ena = readBoolean(f.ena_support);
  if (f.ena_support !== undefined && ena === undefined) problems.push('ena_support must be true or false');
  const bootMode = f.boot_mode || undefined;
  if (bootMode !== undefined && !BOOT_MODES.includes(bootMode as BootMode)) problems.push(`boot_mode must be one of ${BOOT_MODES.join(', ')}`);
  const arch = f.architecture ? normaliseArch(f.architecture) : undefined;
  if (f.architecture && !arch) problems.push(`architecture must be one of ${ARCHITECTURES.join(', ')}`);
  const volumeType = f.volume_type || 'gp3';
  if (!VOLUME_TYPES.includes(volumeType)) problems.push(`volume_type must be one of ${VOLUME_TYPES.join(', ')}`);
  const rootDeviceName = f.root_device_name || '/dev/xvda';
  if (!/^\/dev\/[a-z0-9]+$/.test(rootDeviceName)) problems.push('root_device_name must be a device path such as /dev/xvda');
  if (f.ami_name !== undefined && !AMI_NAME_RE.test(f.ami_name)) {
    problems.push('ami_name must be 3-128 characters of letters, digits and ( ) [ ] space . / \' @ _ -');
  }
  const description = f.ami_description ?? f.description;
  if (description !== undefined && description.length > 255) problems.push('ami_description must be at most 255 characters');
  if (f.import_bucket !== undefined && !BUCKET_RE.test(f.import_bucket)) problems.push('import_bucket is not a valid S3 bucket name');
  const tags = readTags(provider, f.tags, problems);
  if (problems.length) return { problems };
  return {
    provider: {
      region, endpoints, s3ForcePathStyle: pathStyle ?? Boolean(endpoints.s3),
      amiName: f.ami_name, amiDescription: description, tags, bootMode: bootMode as BootMode | undefined,
      enaSupport: ena ?? true, architecture: arch, rootDeviceName, volumeType, importBucket: f.import_bucket,
    },
    problems,
  };
}

export function normaliseArch(a: string): Architecture | undefined {
  const s = a.toLowerCase();
  if (s === 'x86_64' || s === 'amd64') return 'x86_64';
  if (s === 'arm64' || s === 'aarch64') return 'arm64';
  if (s === 'i386' || s === 'i686' || s === 'x86') return 'i386';
  return undefined;
}

/** Tags: a JSON object, JSON text, or `key=value,key2=value2` (XML attributes have no objects). */
function readTags(provider: unknown, text: string | undefined, problems: string[]): Record<string, string> {
  let raw: unknown = text;
  const doc = typeof provider === 'string' && provider.trim().startsWith('{') ? safeJson(provider) : provider;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'tags' in doc) raw = (doc as Record<string, unknown>).tags;
  if (raw === undefined || raw === '') return {};
  if (typeof raw === 'string') {
    const t = raw.trim();
    if (t.startsWith('{')) raw = safeJson(t);
    else raw = Object.fromEntries(t.split(',').filter(Boolean).map((kv) => { const i = kv.indexOf('='); return i < 0 ? [kv.trim(), ''] : [kv.slice(0, i).trim(), kv.slice(i + 1).trim()]; }));
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) { problems.push('tags must be an object of key: value strings or "key=value,key2=value2"'); return {}; }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') { problems.push(`tag "${k}" must have a string value`); continue; }
    if (!k || k.length > 128 || k.toLowerCase().startsWith('aws:')) { problems.push(`tag key "${k.slice(0, 40)}" must be 1-128 characters and must not start with aws:`); continue; }
    if (String(v).length > 256) { problems.push(`tag "${k}" has a value longer than 256 characters`); continue; }
    tags[k] = String(v);
  }
  return tags;
}

function safeJson(t: string): unknown {
  try { return JSON.parse(t); } catch { return undefined; }
}
