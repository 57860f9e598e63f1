import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { registryPushSource } from './push-source.js';
import { providerError, withRegistryAuth } from './registry-auth.js';
import {
  describeDestination, isLoopbackRegistry, readRegistryCredentials, readRegistryDestination, type RegistryCredentials,
} from './registry-provider.js';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Problems with a registry provider or its credentials, for the POST (never quoting a password). */
export function checkRegistryProvider(provider: unknown, credentials: unknown): string[] {
  return [...readRegistryDestination(provider).problems, ...readRegistryCredentials(credentials).problems];
}

function readOrThrow(provider: unknown, credentials: unknown) {
  const d = readRegistryDestination(provider);
  const c = readRegistryCredentials(credentials);
  const problems = [...d.problems, ...c.problems];
  if (problems.length || !d.destination || c.credentials === undefined) throw new AppError('REQUEST_INVALID', `provider: ${problems.join('; ')}`);
  return { destination: d.destination, credentials: c.credentials };
}

/**
 * Pushes the image with `skopeo copy` to docker://registry/repository:tag. The identifier on the
 * provider is the pushed manifest's digest reference (`registry/repository@sha256:...`), which
 * stays valid when the tag moves on.
 */
export async function pushToRegistry(ctx: PushContext): Promise<PushResult> {
  const { destination: d, credentials } = readOrThrow(ctx.provider, ctx.credentials);
  const source = await registryPushSource(ctx.targetImage);
  const dest = `docker://${describeDestination(d)}`;
  const digestFile = join(ctx.workDir, 'pushed-digest');
  ctx.progress(5, `Connecting to registry ${d.registry}`);
  const digest = await withRegistryAuth(ctx, d.registry, d.tlsVerify, credentials, async (auth) => {
    ctx.progress(15, `Pushing to ${describeDestination(d)} from the ${source.kind === 'oci' ? 'OCI image layout' : 'image archive'}`);
    await ctx.exec(['skopeo', 'copy', ...auth, `--dest-tls-verify=${d.tlsVerify}`, '--digestfile', digestFile, source.ref, dest])
      .catch((e: unknown) => { throw providerError(e, `Push to ${d.registry} failed`, credentials); });
    return (await readFile(digestFile, 'utf8')).trim();
  }).finally(() => rm(digestFile, { force: true }));
  if (!DIGEST_RE.test(digest)) throw new AppError('PROVIDER_FAILED', `The registry returned an unexpected manifest digest "${digest.slice(0, 80)}"`);
  const identifier = `${d.registry}/${d.repository}@${digest}`;
  ctx.log(`Pushed ${describeDestination(d)} as ${identifier}`);
  ctx.progress(100, 'Pushed to the registry');
  return {
    identifierOnProvider: identifier,
    providerAccountIdentifier: credentials?.username ?? null,
    properties: { registry_reference: describeDestination(d), manifest_digest: digest },
  };
}

/**
 * Deletes the pushed manifest by digest (registry API DELETE /v2/<name>/manifests/<digest>, via
 * `skopeo delete`); the registry must allow deletes. Its tags go with it; blobs stay until the
 * registry's garbage collection.
 */
export async function deleteFromRegistry(ctx: DeleteFromProviderContext): Promise<void> {
  const at = ctx.identifierOnProvider.lastIndexOf('@');
  const slash = ctx.identifierOnProvider.indexOf('/');
  const registry = ctx.identifierOnProvider.slice(0, slash);
  if (at < 0 || slash < 0 || !DIGEST_RE.test(ctx.identifierOnProvider.slice(at + 1))) {
    throw new AppError('REQUEST_INVALID', `Not a registry manifest reference: ${ctx.identifierOnProvider}`);
  }
  const c = readRegistryCredentials(ctx.credentials);
  if (c.problems.length) throw new AppError('REQUEST_INVALID', `credentials: ${c.problems.join('; ')}`);
  const credentials: RegistryCredentials | null = c.credentials ?? null;
  // The TLS choice comes from the provider of the push, when it still names this registry.
  const d = readRegistryDestination(ctx.provider).destination;
  const tlsVerify = d && d.registry === registry ? d.tlsVerify : !isLoopbackRegistry(registry);
  await withRegistryAuth(ctx, registry, tlsVerify, credentials, (auth) =>
    ctx.exec(['skopeo', 'delete', ...auth, `--tls-verify=${tlsVerify}`, `docker://${ctx.identifierOnProvider}`])
      .catch((e: unknown) => { throw providerError(e, `Delete from ${registry} failed`, credentials); }));
  ctx.log(`Deleted ${ctx.identifierOnProvider}`);
}
