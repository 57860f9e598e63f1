import { Command } from 'commander';
import { EXIT_OK, printJson, type Runner } from '../cli-context.js';

type WorkerDoc = { id: string; hostname: string; capabilities: string[]; concurrency: number; current_jobs: string[]; last_heartbeat: string };
type WorkersDoc = { build_mode: string; workers: WorkerDoc[]; queue_depth: Record<string, number> };

/** `workers`: the build workers of a queue-mode daemon and the jobs waiting per capability. */
export function workersCommand(run: Runner): Command {
  return new Command('workers')
    .description('list the build workers (build_mode queue): capabilities, current jobs, last heartbeat; and the queue depth')
    .action((_opts: unknown, command: Command) => run(command, async (ctx) => {
      const doc = await ctx.client.json<WorkersDoc>('GET', 'workers');
      if (ctx.output === 'json') {
        printJson(ctx, doc);
        return EXIT_OK;
      }
      if (doc.build_mode !== 'queue') {
        ctx.io.stdout.write('build_mode local: the daemon runs builds itself (no workers)\n');
        return EXIT_OK;
      }
      for (const w of doc.workers) {
        ctx.io.stdout.write(`${w.id}  ${w.hostname}  jobs ${w.current_jobs.length}/${w.concurrency}${w.current_jobs.length ? ` (${w.current_jobs.join(', ')})` : ''}  heartbeat ${w.last_heartbeat}\n    ${w.capabilities.join(' ')}\n`);
      }
      if (!doc.workers.length) ctx.io.stdout.write('no workers connected\n');
      const depth = Object.entries(doc.queue_depth);
      ctx.io.stdout.write(`queued: ${depth.length ? depth.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}\n`);
      return EXIT_OK;
    }));
}
