import { Command } from 'commander';
import { IMAGE_COLLECTION } from '../../domain/image.js';
import { EXIT_OK, type Runner } from '../cli-context.js';
import { findImage } from '../find-image.js';

/** `log ID [--follow]`: an image's build log; --follow streams it until the build ends. */
export function logCommand(run: Runner): Command {
  return new Command('log')
    .description('print an image\'s build log')
    .argument('<id>', 'image UUID')
    .option('-f, --follow', 'keep streaming while the build runs')
    .action((id: string, opts: { follow?: boolean }, command: Command) => run(command, async (ctx) => {
      const { kind } = await findImage(ctx.client, id);
      const res = await ctx.client.stream('GET', `${IMAGE_COLLECTION[kind]}/${encodeURIComponent(id)}/log`, opts.follow ? { query: { follow: 'true' } } : {});
      for await (const chunk of res.body) ctx.io.stdout.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return EXIT_OK;
    }));
}
