import type { ProviderPlugin } from '../../sdk/index.js';
import { checkAzureProvider, deleteFromAzure, pushToAzure } from './azure-push.js';

/** Microsoft Azure: fixed VHD → page blob (non-zero pages only) → managed image or gallery image version. */
export const azureProvider: ProviderPlugin = {
  id: 'azure',
  description: 'Microsoft Azure: the fixed VHD is uploaded as a page blob (non-zero pages only, resumable), then Azure Resource Manager makes a managed image (default) or a Compute Gallery image version of it. JSON object or XML element attributes',
  targets: ['azure'],
  requiredTools: [{ command: 'qemu-img', debianPackage: 'qemu-utils' }],
  providerFields: [
    { name: 'subscription_id', description: 'Subscription id (GUID); also the provider_account_identifier' },
    { name: 'resource_group', description: 'Resource group of the image (and gallery)' },
    { name: 'location', description: 'Azure location, e.g. westeurope' },
    { name: 'storage_account', description: 'Storage account that receives the VHD page blob' },
    { name: 'storage_account_resource_group', description: 'Resource group of the storage account (gallery versions name it)', default: 'resource_group' },
    { name: 'container', description: 'Blob container (created if missing)', default: 'vhds' },
    { name: 'blob_endpoint', description: 'Blob service URL (Azurite, sovereign clouds)', default: 'https://<storage_account>.blob.core.windows.net' },
    { name: 'arm_endpoint', description: 'Azure Resource Manager URL (https)', default: 'https://management.azure.com' },
    { name: 'authority_host', description: 'Microsoft Entra ID (Azure AD) authority host (https)', default: 'https://login.microsoftonline.com' },
    { name: 'ca_certificate', description: 'Extra PEM CA certificate trusted for these endpoints (private clouds)' },
    { name: 'image_name', description: 'Managed image name (also a provider image parameter)', default: 'imagefactory-<target image id>' },
    { name: 'gallery', description: 'Compute Gallery name: with gallery_image and gallery_image_version, a gallery image version is made instead of a managed image (also parameters)' },
    { name: 'gallery_image', description: 'Gallery image definition (must exist)' },
    { name: 'gallery_image_version', description: 'Gallery image version, Major.Minor.Patch' },
    { name: 'hyper_v_generation', description: 'Hyper-V generation of a managed image', default: 'V1', values: ['V1', 'V2'] },
    { name: 'os_type', description: 'OS type', default: 'Linux', values: ['Linux', 'Windows'] },
    { name: 'concurrency', description: 'Put Page calls in flight (1-64)', default: 8 },
  ],
  credentialFields: [
    { name: 'tenant_id', description: 'Service principal tenant (directory) id or domain' },
    { name: 'client_id', description: 'Service principal application (client) id' },
    { name: 'client_secret', description: 'Service principal client secret' },
    { name: 'storage_account_key', description: 'Storage account key (or storage_sas)' },
    { name: 'storage_sas', description: 'SAS token for the container with read, create, write and delete rights (or storage_account_key)' },
  ],
  check: (_t, provider, credentials) => checkAzureProvider(provider, credentials),
  push: pushToAzure,
  delete: deleteFromAzure,
};
