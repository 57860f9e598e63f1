import { Command } from 'commander';
import { EXIT_OK, printJson, type Runner } from '../cli-context.js';

type TargetDoc = { id: string; description?: string; formats?: string[]; can_push?: boolean; providers?: { providers: { provider: { id: string } }[] } };

/** `targets [TARGET]`: cloud targets the daemon can build for, their formats and providers. */
export function targetsCommand(run: Runner): Command {
  return new Command('targets')
    .description('list the targets the daemon can build for, or show one')
    .argument('[target]', 'show only this target')
    .action((target: string | undefined, _opts: unknown, command: Command) => run(command, async (ctx) => {
      const targets = target
        ? [(await ctx.client.json<{ target: TargetDoc }>('GET', `targets/${encodeURIComponent(target)}`)).target]
        : (await ctx.client.json<{ targets: { target: TargetDoc }[] }>('GET', 'targets')).targets.map((t) => t.target);
      if (ctx.output === 'json') {
        printJson(ctx, target ? targets[0] : { targets });
      } else {
        for (const t of targets) {
          const providers = t.providers?.providers.map((p) => p.provider.id) ?? [];
          ctx.io.stdout.write(`${t.id}  formats: ${(t.formats ?? []).join(', ') || '-'}  push: ${t.can_push ? `yes (${providers.join(', ') || 'any'})` : 'no'}  ${t.description ?? ''}\n`);
        }
      }
      return EXIT_OK;
    }));
}
