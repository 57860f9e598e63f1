import { Command } from 'commander';
import type { Runner } from '../cli-context.js';
import type { ImageDoc } from '../find-image.js';
import { buildParameters, readText, UsageError, withParameterOptions } from '../parameters.js';
import { finishSubmission } from '../submit-image.js';

/** `target_image TARGET (--id BASE_UUID | --template FILE)`. */
export function targetImageCommand(run: Runner): Command {
  return withParameterOptions(new Command('target_image'))
    .description('build a target image for a cloud target from a base image or a template')
    .argument('<target>', 'target name (see "imagefactory targets")')
    .option('--id <base_uuid>', 'the base image to start from')
    .option('--template <file>', 'a TDL template: its base image is built first')
    .action((target: string, opts: { id?: string; template?: string; parameters?: string }, command: Command) => run(command, async (ctx) => {
      if (Boolean(opts.id) === Boolean(opts.template)) throw new UsageError('target_image needs exactly one of --id BASE_UUID or --template FILE');
      const body: Record<string, unknown> = { target, parameters: await buildParameters(opts.parameters, ctx.parameterArgs) };
      if (opts.id) body.base_image_id = opts.id;
      else body.template = await readText(opts.template!, '--template');
      const doc = await ctx.client.json<{ target_image: ImageDoc }>('POST', 'target_images', { json: { target_image: body } });
      return finishSubmission(ctx, 'target_image', doc.target_image);
    }));
}
