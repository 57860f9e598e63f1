import { readBoolean, readProviderDocument } from '../../sdk/provider-documents.js';
import { readEndpoint } from '../aws/aws-endpoint.js';
import { REGION_SHAPE } from '../ec2/ec2-regions.js';

/** Where an S3 export puts the target image body, and how to reach that store. */
export interface S3Location {
  bucket: string;
  /** The object key; ends with '/' when only a prefix was named (the key is then completed per image). */
  key: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  concurrency: number;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/key` (or `s3://bucket/prefix/`, or `s3://bucket`). */
export function isS3Url(value: string): boolean {
  return /^s3:\/\/[^/\s]+/i.test(value.trim());
}

/** Splits `s3://bucket/key` into its parts (the key may be empty). */
export function splitS3Url(url: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/\s]+)(?:\/(.*))?$/i.exec(url.trim());
  return m ? { bucket: m[1], key: m[2] ?? '' } : undefined;
}

/**
 * Reads an S3 export provider: the plain `s3://bucket/key` URL, or a JSON object / XML element
 * with `url` (or `bucket` and `key`), `region` (default us-east-1), `endpoint` (any S3-compatible
 * store), `path_style` (default: true with an endpoint) and `concurrency` (parts in flight, 1-32).
 */
export function readS3Location(provider: unknown): { location?: S3Location; problems: string[] } {
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  const url = f.url ?? (f.name && isS3Url(f.name) ? f.name : undefined);
  let bucket = f.bucket;
  let key = f.key ?? '';
  if (url) {
    const parts = splitS3Url(url);
    if (!parts) problems.push('url must be s3://bucket/key');
    else ({ bucket, key } = parts);
  }
  if (!bucket) problems.push('the provider needs an S3 location: s3://bucket/key, or {"bucket": …, "key": …}');
  else if (!BUCKET_RE.test(bucket)) problems.push(`"${bucket.slice(0, 70)}" is not a valid S3 bucket name`);
  if (key.length > 1024) problems.push('the object key must be at most 1024 characters');
  if (key.startsWith('/')) problems.push('the object key must not start with /');
  const region = f.region || 'us-east-1';
  if (!REGION_SHAPE.test(region)) problems.push(`"${region.slice(0, 40)}" is not a region name`);
  const endpoint = readEndpoint(f.endpoint, 'endpoint', problems);
  const pathStyle = readBoolean(f.path_style ?? f.force_path_style);
  if ((f.path_style ?? f.force_path_style) !== undefined && pathStyle === undefined) problems.push('path_style must be true or false');
  const concurrency = f.concurrency === undefined ? 4 : Number(f.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) problems.push('concurrency must be a whole number from 1 to 32');
  if (problems.length) return { problems };
  return { location: { bucket: bucket!, key, region, endpoint, forcePathStyle: pathStyle ?? Boolean(endpoint), concurrency }, problems };
}

/** The object key of one target image: the key named, or `<prefix><target image id>.<format>`. */
export function objectKey(location: S3Location, targetImageId: string, format: string | null): string {
  if (location.key && !location.key.endsWith('/')) return location.key;
  const ext = format ? `.${format.replace(/[^A-Za-z0-9.]/g, '')}` : '';
  return `${location.key}${targetImageId}${ext}`;
}
