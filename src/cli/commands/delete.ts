import { Command } from 'commander';
import { IMAGE_COLLECTION } from '../../domain/image.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageKind } from '../../domain/image.js';
import { EXIT_FAILED, EXIT_OK, printJson, type CliContext, type Runner } from '../cli-context.js';
import { findImage, getImage, type ImageDoc } from '../find-image.js';
import { HttpError } from '../http-client.js';
import { showImage } from '../wait-for-image.js';
import { buildParameters, UsageError, withParameterOptions } from '../parameters.js';
import { credentialsArg, providerArg } from './provider-image.js';

/**
 * `delete ID [--provider P (--credentials FILE | --credentials-ref NAME) --target T]`: delete an image
 * (and its provider copy). An image pushed with a credential set needs only --provider and --target.
 */
export function deleteCommand(run: Runner): Command {
  return withParameterOptions(new Command('delete'))
    .description('delete an image; for a provider image also from the provider when --provider, --credentials and --target are given')
    .argument('<id>', 'image UUID')
    .option('--provider <provider>', 'provider definition file, or @NAME')
    .option('--credentials <file>', 'credentials file for the provider')
    .option('--credentials-ref <name>', 'a credential set kept by the daemon (default: the set the image was pushed with)')
    .option('--target <target>', 'target name of the provider image')
    .action((id: string, opts: { provider?: string; credentials?: string; credentialsRef?: string; target?: string; parameters?: string }, command: Command) => run(command, async (ctx) => {
      const hasCredentials = Boolean(opts.credentials || opts.credentialsRef);
      if (Boolean(opts.provider) !== Boolean(opts.target) || (hasCredentials && !opts.provider)) {
        throw new UsageError('delete: give --provider and --target (with --credentials or --credentials-ref unless the image was pushed with a credential set), or none');
      }
      const { kind } = await findImage(ctx.client, id);
      const body: Record<string, unknown> = {};
      const parameters = await buildParameters(opts.parameters, ctx.parameterArgs);
      if (Object.keys(parameters).length) body.parameters = parameters;
      if (opts.provider) {
        body.provider = await providerArg(opts.provider);
        if (hasCredentials) body.credentials = await credentialsArg(opts.credentials, opts.credentialsRef, 'delete');
        body.target = opts.target;
      }
      await ctx.client.json('DELETE', `${IMAGE_COLLECTION[kind]}/${encodeURIComponent(id)}`, Object.keys(body).length ? { json: { [kind]: body } } : {});
      if (ctx.nowait) {
        if (ctx.output === 'json') printJson(ctx, { id, type: kind, status: 'DELETING' });
        else ctx.io.stdout.write(`Deleting ${kind} ${id} (not waiting)\n`);
        return EXIT_OK;
      }
      const failed = await waitForDeletion(ctx, kind, id);
      if (failed) {
        const reason = (failed.status_detail as { error?: string | null } | undefined)?.error ?? 'no reason given';
        if (ctx.output === 'json') printJson(ctx, { id, type: kind, status: 'DELETEFAILED', error: reason });
        ctx.io.stderr.write(`imagefactory: deleting ${kind} ${id} failed (DELETEFAILED): ${reason}\n`);
        return EXIT_FAILED;
      }
      if (ctx.output === 'json') printJson(ctx, { id, type: kind, deleted: true });
      else ctx.io.stdout.write(`Deleted ${kind} ${id}\n`);
      return EXIT_OK;
    }));
}

/**
 * Polls a deleted image until it is gone (404: undefined) or DELETEFAILED (the image, with the
 * reason in status_detail.error). A provider image's delete waits for the provider's answer.
 */
async function waitForDeletion(ctx: CliContext, kind: ImageKind, id: string): Promise<ImageDoc | undefined> {
  try {
    for (;;) {
      let image: ImageDoc;
      try {
        image = await getImage(ctx.client, kind, id);
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) return undefined;
        throw e;
      }
      if (image.status === 'DELETEFAILED') return image;
      showImage(ctx, kind, image);
      await sleep(ctx.pollMs);
    }
  } finally {
    ctx.display.finish();
  }
}
