import { Command } from 'commander';
import type { Runner } from '../cli-context.js';
import type { ImageDoc } from '../find-image.js';
import { buildParameters, readText, UsageError, withParameterOptions } from '../parameters.js';
import { finishSubmission } from '../submit-image.js';

/** A provider argument: `@name` is the literal name, anything else a file holding the provider definition. */
export async function providerArg(value: string): Promise<string> {
  return value.startsWith('@') ? value.slice(1) : (await readText(value, 'provider')).trim();
}

/** The credentials a command sends: a file's contents, or a reference to a set the daemon keeps. */
export async function credentialsArg(file: string | undefined, ref: string | undefined, what: string): Promise<unknown> {
  if (file && ref) throw new UsageError(`${what}: give a credentials file or --credentials-ref, not both`);
  if (ref) return { ref };
  if (!file) throw new UsageError(`${what}: give a credentials file or --credentials-ref NAME`);
  return readText(file, 'credentials');
}

/** `provider_image TARGET PROVIDER [CREDENTIALS | --credentials-ref NAME] (--id TARGET_UUID | --template FILE) [--snapshot]`. */
export function providerImageCommand(run: Runner): Command {
  return withParameterOptions(new Command('provider_image'))
    .description('push a target image to a provider (building it first from --template if given)')
    .argument('<target>', 'target name')
    .argument('<provider>', 'provider definition file, or @NAME for a literal provider name (e.g. @ec2-us-east-1)')
    .argument('[credentials]', 'credentials file (XML or JSON); sent to the daemon, never stored')
    .option('--credentials-ref <name>', 'name a credential set kept by the daemon instead of sending secrets')
    .option('--id <target_uuid>', 'the target image to push')
    .option('--template <file>', 'a TDL template: base and target images are built first')
    .option('--snapshot', 'snapshot build (parameters.snapshot; the daemon refuses it: build and push instead)')
    .action((target: string, provider: string, credentialsFile: string | undefined, opts: { id?: string; template?: string; snapshot?: boolean; parameters?: string; credentialsRef?: string }, command: Command) => run(command, async (ctx) => {
      if (Boolean(opts.id) === Boolean(opts.template)) throw new UsageError('provider_image needs exactly one of --id TARGET_UUID or --template FILE');
      const parameters = await buildParameters(opts.parameters, ctx.parameterArgs);
      if (opts.snapshot) parameters.snapshot = true;
      const body: Record<string, unknown> = {
        target, provider: await providerArg(provider), credentials: await credentialsArg(credentialsFile, opts.credentialsRef, 'provider_image'), parameters,
      };
      if (opts.id) body.target_image_id = opts.id;
      else body.template = await readText(opts.template!, '--template');
      const doc = await ctx.client.json<{ provider_image: ImageDoc }>('POST', 'provider_images', { json: { provider_image: body } });
      return finishSubmission(ctx, 'provider_image', doc.provider_image);
    }));
}
