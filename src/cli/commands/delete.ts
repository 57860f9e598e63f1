import { Command } from 'commander';
import { IMAGE_COLLECTION } from '../../domain/image.js';
import { EXIT_OK, printJson, type Runner } from '../cli-context.js';
import { findImage } from '../find-image.js';
import { buildParameters, readText, UsageError, withParameterOptions } from '../parameters.js';
import { providerArg } from './provider-image.js';

/** `delete ID [--provider P --credentials FILE --target T]`: delete an image (and its provider copy). */
export function deleteCommand(run: Runner): Command {
  return withParameterOptions(new Command('delete'))
    .description('delete an image; for a provider image also from the provider when --provider, --credentials and --target are given')
    .argument('<id>', 'image UUID')
    .option('--provider <provider>', 'provider definition file, or @NAME')
    .option('--credentials <file>', 'credentials file for the provider')
    .option('--target <target>', 'target name of the provider image')
    .action((id: string, opts: { provider?: string; credentials?: string; target?: string; parameters?: string }, command: Command) => run(command, async (ctx) => {
      const given = [opts.provider, opts.credentials, opts.target].filter(Boolean).length;
      if (given !== 0 && given !== 3) throw new UsageError('delete: give all of --provider, --credentials and --target, or none');
      const { kind } = await findImage(ctx.client, id);
      const body: Record<string, unknown> = {};
      const parameters = await buildParameters(opts.parameters, ctx.parameterArgs);
      if (Object.keys(parameters).length) body.parameters = parameters;
      if (given === 3) {
        body.provider = await providerArg(opts.provider!);
        body.credentials = await readText(opts.credentials!, '--credentials');
        body.target = opts.target;
      }
      await ctx.client.json('DELETE', `${IMAGE_COLLECTION[kind]}/${encodeURIComponent(id)}`, Object.keys(body).length ? { json: { [kind]: body } } : {});
      if (ctx.output === 'json') printJson(ctx, { id, type: kind, deleted: true });
      else ctx.io.stdout.write(`Deleted ${kind} ${id}\n`);
      return EXIT_OK;
    }));
}
