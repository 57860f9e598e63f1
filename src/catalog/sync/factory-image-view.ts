import type { ImageRecord } from '../../domain/image.js';
import { FACTORY_STATE } from '../image-state.js';
import type { Metadata } from '../store/metadata-repository.js';
import type { TemplateFacts } from './template-facts.js';

/** How a factory image appears in the catalog, before parents are resolved to ids. */
export interface FactoryImageView {
  name: string;
  state: string;
  minDisk: number;
  uuid: string;
  computeResource: { name: string; provider: string };
  os: { name: string; major: string; minor: string };
  arch: string;
  /** Properties the sync owns (re-asserted on every change; user keys are left alone). */
  metadata: Metadata;
}

/**
 * Target images live on a compute resource named after their target; provider images on one named
 * after their provider (the target is its type). The Foreman `uuid` is the provider's identifier once
 * known, else the factory id.
 */
export function factoryImageView(image: ImageRecord, facts: TemplateFacts): FactoryImageView {
  const target = image.target ?? 'unknown';
  const provider = image.kind === 'provider_image' ? providerName(image.provider) : null;
  const [major, ...minor] = (facts.osVersion ?? '').split('.');
  const metadata: Metadata = {
    image_factory_id: image.id,
    image_factory_kind: image.kind,
    target,
  };
  if (facts.osName) metadata.os_distro = facts.osName.toLowerCase();
  if (facts.osVersion) metadata.os_version = facts.osVersion;
  if (facts.arch) metadata.architecture = facts.arch;
  if (provider) metadata.provider = provider;
  if (image.identifierOnProvider) metadata.identifier_on_provider = image.identifierOnProvider;
  return {
    name: (facts.name ?? image.id).slice(0, 255),
    state: FACTORY_STATE[image.status],
    minDisk: facts.diskGiB ?? 0,
    uuid: (image.kind === 'provider_image' && image.identifierOnProvider) || image.id,
    computeResource: provider ? { name: provider, provider: target } : { name: target, provider: 'ImageFactory' },
    os: { name: facts.osName ?? 'Unknown', major: major || '0', minor: minor.join('.') },
    arch: facts.arch ?? 'x86_64',
    metadata,
  };
}

/** A provider is a name, or a JSON object (Image Factory accepts both); show a readable name. */
function providerName(provider: string | null): string {
  if (!provider) return 'unknown';
  try {
    const o = JSON.parse(provider);
    if (o && typeof o === 'object') return String(o.name ?? o.id ?? provider).slice(0, 255);
  } catch { /* a plain name */ }
  return provider.slice(0, 255);
}
