import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import { timedStep } from '../ports/build-metrics.js';
import { makeBuildContext, scaledProgress, type ProgressSink } from './build-context-factory.js';
import type { BuildDeps } from './build-deps.js';
import type { BuildLog } from './build-log.js';

/** Pushes a COMPLETE target image to a provider. Credentials exist only in memory, for this call. */
export async function runProviderImageBuild(deps: BuildDeps, image: ImageRecord, credentials: unknown, signal: AbortSignal, log: BuildLog, progress: ProgressSink): Promise<Partial<ImageRecord>> {
  const target = image.target ?? '';
  const provider = parseProvider(image.provider);
  const chosen = deps.plugins.providerFor(target, provider);
  if (!chosen.plugin) throw new AppError('BUILD_FAILED', `provider: ${chosen.problem}`);
  const plugin = chosen.plugin;
  if (image.credentialsRef) {
    credentials = deps.credentials.get(image.credentialsRef);
    if (credentials === undefined) throw new AppError('BUILD_FAILED', `The credential set "${image.credentialsRef}" is no longer defined on this daemon`);
  } else if (credentials === undefined) {
    throw new AppError('BUILD_FAILED', 'The credentials of this push were lost (they are kept in memory only and the daemon restarted); create the provider image again, or name a credential set ({"ref": "..."}) so pushes survive restarts');
  }
  const targetImage = image.targetImageId ? await deps.store.get(image.targetImageId) : undefined;
  if (!targetImage) throw new AppError('JOB_DEPENDENCY_FAILED', `The TargetImage (${image.targetImageId}) for our ProviderImage no longer exists.`);
  // The push (uploads to Glance, Keystone, a registry...) has an overall deadline, the build step limit
  // (config key timeout), besides the cancel signal: a provider that drips its answers cannot hold it.
  const deadline = AbortSignal.timeout(deps.settings.stepTimeoutMs);
  const pushSignal = AbortSignal.any([signal, deadline]);
  const ctx = await makeBuildContext({
    imageId: image.id, artifacts: deps.artifacts, log, signal: pushSignal, progress: scaledProgress(progress, 0, 99),
    execFactory: deps.execFactory, stepTimeoutMs: deps.settings.stepTimeoutMs,
  });
  const base = targetImage.baseImageId ? await deps.store.get(targetImage.baseImageId) : undefined;
  const templateXml = targetImage.template ?? base?.template ?? null;
  log.line(`Pushing target image ${targetImage.id} to provider ${plugin.id}${image.credentialsRef ? ` with credential set ${image.credentialsRef}` : ''}`);
  const metrics = deps.metrics;
  const push = () => plugin.push({
    ...ctx,
    bytesSent: (n) => metrics?.pushBytes(plugin.id, n),
    target,
    provider,
    credentials,
    parameters: image.parameters,
    targetImage: {
      id: targetImage.id,
      bodyPath: deps.artifacts.bodyPath(targetImage.id),
      format: typeof targetImage.properties.format === 'string' ? targetImage.properties.format : null,
      template: templateXml ? safeParse(templateXml) : null,
      properties: targetImage.properties,
    },
  }).catch((e: unknown) => {
    if (deadline.aborted && !signal.aborted) {
      throw new AppError('PROVIDER_FAILED', `The push did not finish within ${Math.round(deps.settings.stepTimeoutMs / 1000)} s (config key timeout)`, { cause: e });
    }
    throw e;
  });
  let result: Awaited<ReturnType<typeof push>>;
  try {
    result = await timedStep(metrics, 'provider_image', 'push', push);
  } catch (e) {
    if (!signal.aborted) metrics?.pushFailed(plugin.id);
    throw e;
  }
  return {
    identifierOnProvider: result.identifierOnProvider,
    providerAccountIdentifier: result.providerAccountIdentifier,
    properties: { ...image.properties, provider_type: plugin.id, ...result.properties },
  };
}

/** Providers are stored as the client sent them; objects were serialised to JSON text. */
export function parseProvider(provider: string | null): unknown {
  if (provider === null) return null;
  const t = provider.trim();
  if (t.startsWith('{')) {
    try { return JSON.parse(t); } catch { /* a plain string after all */ }
  }
  return provider;
}

function safeParse(xml: string) {
  try { return parseTdl(xml); } catch { return null; }
}
