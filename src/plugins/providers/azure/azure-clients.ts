import { rootCertificates } from 'node:tls';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { ComputeManagementClient } from '@azure/arm-compute';
import { AnonymousCredential, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AzureCredentials } from './azure-credentials.js';
import type { AzureProvider } from './azure-provider.js';

/** Microsoft's own authority hosts: MSAL knows their metadata, so instance discovery stays on for them. */
const MICROSOFT_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'login.chinacloudapi.cn', 'login.microsoftonline.us']);

/** TLS settings shared by the three SDKs: the public roots plus the provider's own CA, if any. */
function tlsOptions(p: AzureProvider) {
  return p.caCertificate ? { tlsOptions: { ca: [...rootCertificates, p.caCertificate] } } : {};
}

/**
 * The service principal as an @azure/identity credential. A non-Microsoft authority host (Azure
 * Stack Hub's AD FS, a test server) has no entry in Microsoft's instance-discovery service, so
 * MSAL is told to trust it as given and read its OpenID configuration directly.
 */
export function armCredential(p: AzureProvider, c: AzureCredentials): ClientSecretCredential {
  const host = new URL(p.authorityHost).hostname;
  return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, {
    authorityHost: p.authorityHost,
    disableInstanceDiscovery: !MICROSOFT_AUTHORITIES.has(host),
    ...tlsOptions(p),
  });
}

/** The Compute client on the provider's ARM endpoint, asking tokens for that endpoint's audience (reusing a credential already authenticated). */
export function computeClient(p: AzureProvider, c: AzureCredentials | TokenCredential): ComputeManagementClient {
  const credential = 'getToken' in c ? c : armCredential(p, c);
  return new ComputeManagementClient(credential, p.subscriptionId, {
    endpoint: p.armEndpoint,
    credentials: { scopes: [`${new URL(p.armEndpoint).origin}/.default`] },
    ...tlsOptions(p),
  });
}

/** The VHD container, authorised by the account key or a SAS token. */
export function vhdContainer(p: AzureProvider, c: AzureCredentials): ContainerClient {
  const url = `${p.blobEndpoint}/${p.container}`;
  // The storage SDK retries on its own too; ours (withRetry) wraps each page upload on top.
  const options = { ...tlsOptions(p), retryOptions: { maxTries: 3 } };
  if (c.blob.kind === 'key') return new ContainerClient(url, new StorageSharedKeyCredential(p.storageAccount, c.blob.accountKey), options);
  return new ContainerClient(`${url}?${c.blob.sasToken}`, new AnonymousCredential(), options);
}

/** The ARM id of the managed image or gallery image version a push creates. */
export function imageResourceId(p: AzureProvider, imageName: string): string {
  const rg = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Compute`;
  return p.gallery
    ? `${rg}/galleries/${p.gallery.gallery}/images/${p.gallery.image}/versions/${p.gallery.version}`
    : `${rg}/images/${imageName}`;
}

export type ParsedResourceId =
  | { kind: 'image'; subscriptionId: string; resourceGroup: string; name: string }
  | { kind: 'galleryImageVersion'; subscriptionId: string; resourceGroup: string; gallery: string; image: string; version: string };

/** Reads back an identifier_on_provider this plugin wrote. */
export function parseResourceId(id: string): ParsedResourceId | null {
  const base = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/(.+)$/i.exec(id);
  if (!base) return null;
  const [, subscriptionId, resourceGroup, rest] = base;
  const image = /^images\/([^/]+)$/i.exec(rest);
  if (image) return { kind: 'image', subscriptionId, resourceGroup, name: image[1] };
  const version = /^galleries\/([^/]+)\/images\/([^/]+)\/versions\/([^/]+)$/i.exec(rest);
  if (version) return { kind: 'galleryImageVersion', subscriptionId, resourceGroup, gallery: version[1], image: version[2], version: version[3] };
  return null;
}
