import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../../sdk/index.js';
import { AppError, isAppError } from '../../../domain/errors.js';
import type { RegistryCredentials } from './registry-provider.js';

/**
 * Runs `fn` with skopeo arguments naming a private auth file. The password never appears in an
 * argument list (other users can read /proc/<pid>/cmdline): `skopeo login --password-stdin` gets
 * it on stdin, checks it against the registry (so a wrong password fails here with the
 * registry's own message) and writes the auth file, which lives in the work directory with mode
 * 0600 and is removed afterwards. Anonymous pushes get an empty auth file too, so the daemon
 * host's own registry logins (~/.docker/config.json, /run/containers) are never used.
 */
export async function withRegistryAuth<T>(
  ctx: BuildContext, registry: string, tlsVerify: boolean, credentials: RegistryCredentials | null,
  fn: (authArgs: string[]) => Promise<T>,
): Promise<T> {
  const authfile = join(ctx.workDir, `registry-auth-${randomBytes(6).toString('hex')}.json`);
  await writeFile(authfile, '{"auths":{}}\n', { mode: 0o600, flag: 'wx' });
  try {
    if (credentials) {
      ctx.log(`Logging in to ${registry} as ${credentials.username}`);
      await ctx.exec(
        ['skopeo', 'login', '--authfile', authfile, `--tls-verify=${tlsVerify}`, '--username', credentials.username, '--password-stdin', registry],
        { input: credentials.password },
      ).catch((e: unknown) => { throw providerError(e, `Login to ${registry} failed`, credentials); });
    }
    return await fn(['--authfile', authfile]);
  } finally {
    await rm(authfile, { force: true });
  }
}

/**
 * A skopeo failure as PROVIDER_FAILED carrying the registry's message (skopeo prints it as
 * `level=fatal msg="..."`). Cancellation passes through unchanged.
 */
export function providerError(e: unknown, what: string, credentials: RegistryCredentials | null): unknown {
  if (!isAppError(e) || e.code !== 'TOOL_FAILED') return e;
  const messages = [...e.message.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  let text = messages.length ? [...new Set(messages)].join('; ') : e.message;
  if (credentials && credentials.password.length >= 3) text = text.split(credentials.password).join('***');
  if (!credentials && /unauthorized|authentication required/i.test(text)) text += ' (the registry requires credentials; none were given)';
  return new AppError('PROVIDER_FAILED', `${what}: ${text}`);
}
