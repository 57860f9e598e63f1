import type { ImageRecord } from '../../domain/image.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import { importSpecOf } from '../builds/imported-base-build.js';
import { parseProvider } from '../builds/provider-image-build.js';
import type { JobSpec } from '../ports/job-queue.js';
import type { PluginCatalog } from '../ports/plugin-catalog.js';

export const JOB_KINDS = { base_image: 'build-base-image', target_image: 'build-target-image', provider_image: 'push-provider-image' } as const;

/**
 * The job that builds an image: the capability it needs (the OS plugin, target or provider, or
 * `import` for an uploaded disk), and its parent as dependency (target waits for base, push for target).
 * The job id is the image id, so enqueueing again (after a daemon restart) changes nothing.
 */
export function imageJobSpec(image: ImageRecord, plugins: PluginCatalog, maxAttempts = 3): JobSpec {
  const parent = image.kind === 'target_image' ? image.baseImageId : image.kind === 'provider_image' ? image.targetImageId : null;
  const priority = Number(image.parameters.priority);
  return {
    id: image.id,
    kind: JOB_KINDS[image.kind],
    requires: requiredCapability(image, plugins),
    payload: { imageId: image.id },
    dependsOn: parent ? [parent] : [],
    priority: Number.isInteger(priority) ? priority : 0,
    maxAttempts,
  };
}

export function requiredCapability(image: ImageRecord, plugins: PluginCatalog): string {
  if (image.kind === 'base_image') {
    if (importSpecOf(image)) return 'import';
    const plugin = plugins.osPluginFor(parseTdl(image.template ?? ''));
    return `os:${plugin?.id ?? 'unknown'}`;
  }
  if (image.kind === 'target_image') return `target:${image.target}`;
  const chosen = plugins.providerFor(image.target ?? '', parseProvider(image.provider));
  return chosen.plugin ? `provider:${chosen.plugin.id}` : `target:${image.target}`;
}

/** What this process's plugins can build: usable OS plugins, targets and providers (tools present). */
export function capabilitiesOf(plugins: PluginCatalog, canImport: boolean): string[] {
  const caps = new Set<string>();
  for (const e of plugins.entries()) if (e.info.type === 'os' && !e.error) caps.add(`os:${e.id}`);
  for (const { spec, plugin } of plugins.targets()) {
    if (plugins.errorOf(plugin.id)) continue;
    caps.add(`target:${spec.name}`);
    for (const p of plugins.providersFor(spec.name)) if (plugins.providerFor(spec.name, { type: p.id }).plugin) caps.add(`provider:${p.id}`);
  }
  if (canImport) caps.add('import');
  return [...caps].sort();
}
