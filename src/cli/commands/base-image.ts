import { Command } from 'commander';
import type { Runner } from '../cli-context.js';
import type { ImageDoc } from '../find-image.js';
import { buildParameters, readText, withParameterOptions } from '../parameters.js';
import { finishSubmission } from '../submit-image.js';

/** `base_image TEMPLATE_FILE`: build a base image from a TDL file. */
export function baseImageCommand(run: Runner): Command {
  return withParameterOptions(new Command('base_image'))
    .description('build a base image from a TDL template file')
    .argument('<template_file>', 'TDL template (XML)')
    .action((templateFile: string, opts: { parameters?: string }, command: Command) => run(command, async (ctx) => {
      const template = await readText(templateFile, 'template');
      const parameters = await buildParameters(opts.parameters, ctx.parameterArgs);
      const doc = await ctx.client.json<{ base_image: ImageDoc }>('POST', 'base_images', { json: { base_image: { template, parameters } } });
      return finishSubmission(ctx, 'base_image', doc.base_image);
    }));
}
