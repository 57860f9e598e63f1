import { REGION_SHAPE, regionOf } from './ec2-regions.js';
import { BUCKET_RE } from './ec2-provider.js';

/** How a push uploads and what it does with the AMI afterwards (provider image `parameters`). */
export interface Ec2PushParameters {
  upload: 'ebs-direct' | 's3-import';
  importBucket?: string;
  shareAccounts: string[];
  /** Launch permission for everyone (`ec2_share_accounts: all`). */
  public: boolean;
  copyRegions: string[];
  concurrency: number;
  /** ImportSnapshot: minutes without progress before the import counts as stalled. */
  importStallMinutes: number;
}

export const EC2_PUSH_PARAMETERS = [
  { name: 'ec2_upload', description: 'Push: ebs-direct (the raw disk written straight into an EBS snapshot, non-zero 512 KiB blocks only) or s3-import (S3 multipart upload + ImportSnapshot)', default: 'ebs-direct', values: ['ebs-direct', 's3-import'] },
  { name: 'ec2_import_bucket', description: 'Push: S3 bucket that stages the disk for ec2_upload=s3-import (or the provider\'s import_bucket)' },
  { name: 'ec2_share_accounts', description: 'Push: 12-digit account numbers given launch permission on the AMI (list or comma-separated; "all" makes it public)' },
  { name: 'ec2_copy_regions', description: 'Push: regions the AMI is copied to after registration (list or comma-separated)' },
  { name: 'ec2_upload_concurrency', description: 'Push: blocks or parts in flight at once (1-64)', default: 16 },
  { name: 'ec2_import_stall_minutes', description: 'Push: s3-import fails when the import task makes no progress for this long', default: 30 },
];

function list(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  const s = String(v).trim();
  if (s.startsWith('[')) { try { return list(JSON.parse(s)); } catch { /* comma list after all */ } }
  return s.split(/[,\s]+/).filter(Boolean);
}

function int(v: unknown, name: string, min: number, max: number, fallback: number, problems: string[]): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) { problems.push(`parameter ${name} must be a whole number from ${min} to ${max}`); return fallback; }
  return n;
}

/** Reads and checks the EC2 push parameters; also refuses the original's push kinds that no longer exist. */
export function readEc2PushParameters(params: Record<string, unknown>): { parameters?: Ec2PushParameters; problems: string[] } {
  const problems: string[] = [];
  const upload = params.ec2_upload === undefined || params.ec2_upload === '' ? 'ebs-direct' : String(params.ec2_upload);
  if (upload !== 'ebs-direct' && upload !== 's3-import') problems.push('parameter ec2_upload must be ebs-direct or s3-import');
  const bucket = params.ec2_import_bucket === undefined || params.ec2_import_bucket === '' ? undefined : String(params.ec2_import_bucket);
  if (bucket !== undefined && !BUCKET_RE.test(bucket)) problems.push('parameter ec2_import_bucket is not a valid S3 bucket name');
  const accounts = list(params.ec2_share_accounts);
  const isPublic = accounts.some((a) => a.toLowerCase() === 'all');
  const shareAccounts = accounts.filter((a) => a.toLowerCase() !== 'all').map((a) => a.replace(/-/g, ''));
  for (const a of shareAccounts) if (!/^\d{12}$/.test(a)) problems.push(`parameter ec2_share_accounts: "${a.slice(0, 20)}" is not a 12-digit account number`);
  const copyRegions = [...new Set(list(params.ec2_copy_regions).map(regionOf))];
  for (const r of copyRegions) if (!REGION_SHAPE.test(r)) problems.push(`parameter ec2_copy_regions: "${r.slice(0, 30)}" is not a region name`);
  const concurrency = int(params.ec2_upload_concurrency, 'ec2_upload_concurrency', 1, 64, 16, problems);
  const importStallMinutes = int(params.ec2_import_stall_minutes, 'ec2_import_stall_minutes', 1, 24 * 60, 30, problems);
  // The original's push kinds: S3-bundled (instance-store) and paravirtual AMIs are gone from EC2.
  if (params.ec2_ami_type !== undefined && params.ec2_ami_type !== '' && String(params.ec2_ami_type) !== 'ebs') {
    problems.push('parameter ec2_ami_type: only EBS-backed AMIs are made (instance-store S3 bundles are no longer offered for current instance types)');
  }
  if (params.ec2_virt_type !== undefined && params.ec2_virt_type !== '' && String(params.ec2_virt_type) !== 'hvm') {
    problems.push('parameter ec2_virt_type: only hvm AMIs are made (EC2 no longer offers paravirtual instance types)');
  }
  if (problems.length) return { problems };
  return { parameters: { upload: upload as Ec2PushParameters['upload'], importBucket: bucket, shareAccounts, public: isPublic, copyRegions, concurrency, importStallMinutes }, problems };
}

