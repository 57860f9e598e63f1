import type { ComputeManagementClient } from '@azure/arm-compute';
import type { AzureProvider } from './azure-provider.js';
import type { ParsedResourceId } from './azure-clients.js';

/**
 * Creates the managed image from the VHD blob (PUT Microsoft.Compute/images/{name}) and waits on
 * ARM's long-running operation; returns its ARM id.
 */
export async function createManagedImage(client: ComputeManagementClient, p: AzureProvider, name: string, blobUri: string, signal: AbortSignal): Promise<string> {
  const image = await client.images.createOrUpdate(p.resourceGroup, name, {
    location: p.location,
    hyperVGeneration: p.hyperVGeneration,
    storageProfile: {
      osDisk: { osType: p.osType, osState: 'Generalized', blobUri, caching: 'ReadWrite', storageAccountType: 'Standard_LRS' },
    },
    tags: { imagefactory: 'true' },
  }, { abortSignal: signal }).pollUntilDone({ abortSignal: signal });
  if (image.provisioningState && image.provisioningState !== 'Succeeded') throw new Error(`image ${name} is ${image.provisioningState}, not Succeeded`);
  return image.id ?? '';
}

/**
 * Creates a gallery image version (PUT …/galleries/{g}/images/{def}/versions/{v}) whose OS disk is
 * the VHD blob, published to the provider's location, and waits on the operation.
 */
export async function createGalleryImageVersion(client: ComputeManagementClient, p: AzureProvider, blobUri: string, signal: AbortSignal): Promise<string> {
  const g = p.gallery!;
  const storageAccountId = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.storageAccountResourceGroup}/providers/Microsoft.Storage/storageAccounts/${p.storageAccount}`;
  const version = await client.galleryImageVersions.createOrUpdate(p.resourceGroup, g.gallery, g.image, g.version, {
    location: p.location,
    publishingProfile: { targetRegions: [{ name: p.location }] },
    storageProfile: { osDiskImage: { hostCaching: 'ReadWrite', source: { uri: blobUri, storageAccountId } } },
    tags: { imagefactory: 'true' },
  }, { abortSignal: signal }).pollUntilDone({ abortSignal: signal });
  if (version.provisioningState && version.provisioningState !== 'Succeeded') throw new Error(`gallery image version ${g.version} is ${version.provisioningState}, not Succeeded`);
  return version.id ?? '';
}

/** The VHD blob an image was made from, or null when ARM no longer has the image. */
export async function sourceBlobOf(client: ComputeManagementClient, id: ParsedResourceId, signal: AbortSignal): Promise<{ blobUri: string | undefined } | null> {
  try {
    if (id.kind === 'image') {
      const image = await client.images.get(id.resourceGroup, id.name, { abortSignal: signal });
      return { blobUri: image.storageProfile?.osDisk?.blobUri };
    }
    const v = await client.galleryImageVersions.get(id.resourceGroup, id.gallery, id.image, id.version, { abortSignal: signal });
    return { blobUri: v.storageProfile?.osDiskImage?.source?.uri };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
}

/** DELETE the image or gallery image version and wait for ARM to finish. */
export async function deleteImageResource(client: ComputeManagementClient, id: ParsedResourceId, signal: AbortSignal): Promise<void> {
  const poller = id.kind === 'image'
    ? client.images.delete(id.resourceGroup, id.name, { abortSignal: signal })
    : client.galleryImageVersions.delete(id.resourceGroup, id.gallery, id.image, id.version, { abortSignal: signal });
  await poller.pollUntilDone({ abortSignal: signal });
}
