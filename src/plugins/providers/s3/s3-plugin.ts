import type { ProviderPlugin } from '../../sdk/index.js';
import { checkS3Export, deleteFromS3, pushToS3 } from './s3-export.js';
import { isS3Url } from './s3-location.js';

/** S3 export: any target image body put into an S3-compatible bucket. */
export const s3Provider: ProviderPlugin = {
  id: 's3',
  description: 'An S3-compatible bucket: "s3://bucket/key" (a key ending in / is a prefix), or a JSON object / XML element with the fields below',
  targets: '*',
  requiredTools: [],
  claims: isS3Url,
  providerFields: [
    { name: 'url', description: 's3://bucket/key (or bucket and key)' },
    { name: 'bucket', description: 'Bucket name' },
    { name: 'key', description: 'Object key; empty or ending in / = <prefix><target image id>.<format>' },
    { name: 'region', description: 'Region', default: 'us-east-1' },
    { name: 'endpoint', description: 'Endpoint of an S3-compatible store (default: AWS)' },
    { name: 'path_style', description: 'Path-style URLs (default: true with an endpoint)', values: ['true', 'false'] },
    { name: 'concurrency', description: 'Parts uploaded at once (1-32)', default: 4 },
  ],
  credentialFields: [
    { name: 'access_key_id', description: 'Access key id (aliases access_key, aws_access_key_id)' },
    { name: 'secret_access_key', description: 'Secret access key (aliases secret_key, aws_secret_access_key)' },
    { name: 'session_token', description: 'Session token of temporary credentials (optional)' },
  ],
  check: (_target, provider, credentials) => checkS3Export(provider, credentials),
  push: pushToS3,
  delete: deleteFromS3,
};
