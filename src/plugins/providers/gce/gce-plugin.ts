import type { ProviderPlugin } from '../../sdk/index.js';
import { deleteFromGce, pushToGce, checkGceProvider } from './gce-push.js';
import { GUEST_OS_FEATURES } from './gce-provider.js';

/** Google Compute Engine: the archive uploaded to Cloud Storage, then images.insert from it. */
export const gceProvider: ProviderPlugin = {
  id: 'gce',
  description: 'Google Compute Engine: a Cloud Storage bucket receives the tar.gz (resumable upload), then a Compute Engine image is created from it',
  targets: ['gce'],
  requiredTools: [],
  claims: (provider) => /^gs:\/\/[a-z0-9][a-z0-9._-]+\/?$/.test(provider.trim()),
  providerFields: [
    { name: 'bucket', description: 'Cloud Storage bucket for the image archive (a plain provider string, @bucket or gs://bucket means this)' },
    { name: 'project', description: 'Project that receives the image (default: project_id of the service-account key)' },
    { name: 'object_name', description: 'Object name of the archive (default <target image id>.tar.gz; parameter gce_object_name wins)' },
    { name: 'image_name', description: 'Image name (default the target image id; parameter gce_image_name wins)' },
    { name: 'family', description: 'Image family (parameter gce_image_family wins)' },
    { name: 'description', description: 'Image description' },
    { name: 'labels', description: 'Image labels: an object or k=v,k2=v2 (imagefactory-target-image is always added)' },
    { name: 'guest_os_features', description: 'Guest OS features: a list or comma-separated text', values: GUEST_OS_FEATURES },
    { name: 'licenses', description: 'License URLs (projects/P/global/licenses/NAME), a list or comma-separated' },
    { name: 'storage_locations', description: 'Where the image is stored (a region or multi-region; default: region, else Google\'s choice)' },
    { name: 'region', description: 'Region (or zone, from which the region is taken) used as storage location when storage_locations is not given' },
    { name: 'architecture', description: 'Image architecture (default: from the template arch)', values: ['X86_64', 'ARM64'] },
    { name: 'storage_endpoint', description: 'Cloud Storage API origin override (Private Service Connect, tests)', default: 'https://storage.googleapis.com' },
    { name: 'compute_endpoint', description: 'Compute Engine API origin override (Private Service Connect, tests)', default: 'https://compute.googleapis.com' },
    { name: 'retries', description: 'Retries of a request that failed transiently (network, 408, 429, 5xx), with exponential backoff', default: 6 },
    { name: 'chunk_size_mib', description: 'Bytes per resumable-upload request, in MiB (or chunk_size_kib; multiples of 256 KiB); 0 sends the archive in one streamed request', default: 0 },
  ],
  credentialFields: [
    { name: 'type', description: 'service_account (the JSON key downloaded from the Cloud Console, sent whole)' },
    { name: 'project_id', description: 'Default project' },
    { name: 'private_key_id', description: 'Key id (sent as the JWT kid)' },
    { name: 'private_key', description: 'PEM RSA private key that signs the JWT-bearer grant' },
    { name: 'client_email', description: 'Service account e-mail (provider_account_identifier)' },
    { name: 'client_id', description: 'Client id' },
    { name: 'token_uri', description: 'OAuth token endpoint', default: 'https://oauth2.googleapis.com/token' },
  ],
  check: (_t, provider, credentials) => checkGceProvider(provider, credentials),
  push: pushToGce,
  delete: deleteFromGce,
};
