import { Command } from 'commander';
import { EXIT_OK, printJson, type Runner } from '../cli-context.js';

type PluginDoc = { id: string; type?: string; targets?: unknown[][]; version?: string; ERROR?: string };

/** `plugins [--id ID]`: the loaded OS and cloud plugins. */
export function pluginsCommand(run: Runner): Command {
  return new Command('plugins')
    .description('list the daemon\'s plugins, or show one')
    .option('--id <plugin_id>', 'show only this plugin')
    .action((opts: { id?: string }, command: Command) => run(command, async (ctx) => {
      const plugins = opts.id
        ? [await ctx.client.json<PluginDoc>('GET', `plugins/${encodeURIComponent(opts.id)}`)]
        : (await ctx.client.json<{ plugins: PluginDoc[] }>('GET', 'plugins')).plugins;
      if (ctx.output === 'json') {
        printJson(ctx, opts.id ? plugins[0] : { plugins });
      } else {
        for (const p of plugins) {
          const targets = (p.targets ?? []).map((t) => t.filter((x) => x !== null).join(' ')).join(', ');
          ctx.io.stdout.write(`${p.id}  ${p.type ?? '?'}  ${p.version ?? ''}  ${targets}${p.ERROR ? `  ERROR: ${p.ERROR}` : ''}\n`);
        }
      }
      return EXIT_OK;
    }));
}
