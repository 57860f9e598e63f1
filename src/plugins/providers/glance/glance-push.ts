import type { DeleteFromProviderContext, PushContext, PushResult } from '../../sdk/index.js';
import { AppError } from '../../../domain/errors.js';
import { GlanceClient } from './glance-client.js';
import { requestKeystoneToken } from './keystone-token.js';
import { readGlanceProvider } from './glance-provider.js';
import { accountOf, readOpenstackAuth, type OpenstackAuth } from './openstack-credentials.js';

/** Problems with a Glance provider or OpenStack credentials, for the POST (never quoting secrets). */
export function checkGlanceProvider(provider: unknown, credentials: unknown): string[] {
  return [...readGlanceProvider(provider).problems, ...readOpenstackAuth(credentials).problems];
}

function readOrThrow(provider: unknown, credentials: unknown) {
  const p = readGlanceProvider(provider);
  const a = readOpenstackAuth(credentials);
  if (!p.provider || !a.auth) throw new AppError('REQUEST_INVALID', `provider: ${[...p.problems, ...a.problems].join('; ')}`);
  return { provider: p.provider, auth: a.auth };
}

/** The HTTP headers that authenticate to Glance; a Keystone strategy first asks Keystone for a token. */
async function authHeaders(auth: OpenstackAuth, signal: AbortSignal, log: (l: string) => void): Promise<Record<string, string>> {
  switch (auth.strategy) {
    case 'keystone': {
      log(`Requesting a Keystone v3 token for ${auth.username} (project ${auth.tenant}) from ${auth.authUrl}`);
      const token = await requestKeystoneToken({
        authUrl: auth.authUrl, username: auth.username, password: auth.password, project: auth.tenant,
        userDomain: auth.userDomain, projectDomain: auth.projectDomain,
      }, signal);
      return { 'x-auth-token': token };
    }
    case 'token': return { 'x-auth-token': auth.token };
    case 'trusted': return { 'x-identity-status': 'Confirmed', 'x-user-id': auth.username, 'x-project-id': auth.tenant, 'x-roles': auth.roles };
    case 'noauth': return {};
  }
}

/**
 * Creates a Glance v2 image and uploads the target image body into it (streamed), then checks
 * that Glance made it active with the size and MD5 checksum of what was sent. On failure the
 * half-made image is deleted. The identifier on the provider is the Glance image id.
 */
export async function pushToGlance(ctx: PushContext): Promise<PushResult> {
  const { provider, auth } = readOrThrow(ctx.provider, ctx.credentials);
  const diskFormat = provider.diskFormat ?? (ctx.targetImage.format === 'raw' ? 'raw' : 'qcow2');
  if (!provider.diskFormat && ctx.targetImage.format !== 'raw' && ctx.targetImage.format !== 'qcow2') {
    throw new AppError('BUILD_FAILED', `Target image ${ctx.targetImage.id} has format ${ctx.targetImage.format ?? 'unknown'}; Glance pushes take qcow2 or raw (or name disk_format in the provider)`);
  }
  ctx.progress(2, `Authenticating to Glance at ${provider.endpoint} (${auth.strategy})`);
  const headers = await authHeaders(auth, ctx.signal, ctx.log);
  const glance = new GlanceClient(provider.endpoint, headers, ctx.signal);
  const meta: Record<string, unknown> = {
    name: provider.name ?? ctx.targetImage.template?.name ?? `ImageFactory created image - ${ctx.imageId}`,
    disk_format: diskFormat,
    container_format: provider.containerFormat,
    imagefactory_target_image_id: ctx.targetImage.id,
  };
  if (provider.visibility) meta.visibility = provider.visibility;
  if (provider.minDisk !== undefined) meta.min_disk = provider.minDisk;
  if (provider.minRam !== undefined) meta.min_ram = provider.minRam;
  const created = await glance.createImage(meta);
  ctx.log(`Created Glance image ${created.id} (${diskFormat}, ${provider.containerFormat}); uploading`);
  try {
    let lastShown = -1;
    let counted = 0;
    const sent = await glance.uploadFile(created.id, ctx.targetImage.bodyPath, (bytes, total) => {
      ctx.bytesSent?.(bytes - counted);
      counted = bytes;
      const pct = total ? Math.floor((bytes / total) * 100) : 100;
      if (pct >= lastShown + 5) { lastShown = pct; ctx.progress(5 + pct * 0.9, `Uploading to Glance: ${pct}%`); }
    });
    const image = await glance.showImage(created.id);
    if (image.status !== 'active') throw new AppError('PROVIDER_FAILED', `Glance image ${created.id} is ${image.status} after the upload, not active`);
    if (image.size !== sent.bytes || (image.checksum && image.checksum !== sent.md5)) {
      throw new AppError('PROVIDER_FAILED', `Glance stored ${image.size} bytes with checksum ${image.checksum}; ${sent.bytes} bytes with MD5 ${sent.md5} were sent`);
    }
    ctx.log(`Glance image ${image.id} is active: ${image.size} bytes, md5 ${image.checksum}`);
    ctx.progress(100, 'Glance image active');
    return {
      identifierOnProvider: image.id,
      providerAccountIdentifier: accountOf(auth),
      properties: { glance_endpoint: provider.endpoint, glance_checksum: image.checksum, glance_size: image.size, disk_format: diskFormat },
    };
  } catch (e) {
    // Also after a cancel: this client is not bound to the (aborted) build signal.
    await new GlanceClient(provider.endpoint, headers).deleteImage(created.id).catch(() => undefined);
    throw e;
  }
}

/** DELETE /v2/images/{id}; an image Glance no longer has counts as deleted. */
export async function deleteFromGlance(ctx: DeleteFromProviderContext): Promise<void> {
  const { provider, auth } = readOrThrow(ctx.provider, ctx.credentials);
  const glance = new GlanceClient(provider.endpoint, await authHeaders(auth, ctx.signal, ctx.log), ctx.signal);
  const existed = await glance.deleteImage(ctx.identifierOnProvider);
  ctx.log(existed ? `Deleted Glance image ${ctx.identifierOnProvider}` : `Glance has no image ${ctx.identifierOnProvider} any more`);
}
