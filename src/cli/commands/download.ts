import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { IMAGE_COLLECTION } from '../../domain/image.js';
import { EXIT_OK, printJson, type Runner } from '../cli-context.js';
import { findImage } from '../find-image.js';

/** `download ID FILE`: the image body (raw_image), streamed to FILE (complete or not at all). */
export function downloadCommand(run: Runner): Command {
  return new Command('download')
    .description('download an image\'s file (its raw_image) to FILE')
    .argument('<id>', 'image UUID')
    .argument('<file>', 'where to write it')
    .action((id: string, file: string, _opts: unknown, command: Command) => run(command, async (ctx) => {
      const { kind } = await findImage(ctx.client, id);
      const res = await ctx.client.stream('GET', `${IMAGE_COLLECTION[kind]}/${encodeURIComponent(id)}/raw_image`);
      const partial = `${file}.partial`;
      const length = Number(res.headers['content-length']);
      const total = Number.isFinite(length) && length >= 0 ? length : null;
      const label = `Downloading ${kind} ${id.slice(0, 8)}`;
      let bytes = 0;
      ctx.display.transfer(label, 0, total);
      res.body.on('data', (chunk: Buffer) => { bytes += chunk.length; ctx.display.transfer(label, bytes, total); });
      try {
        await pipeline(res.body, createWriteStream(partial, { mode: 0o644 }));
        await rename(partial, file);
      } catch (e) {
        await rm(partial, { force: true });
        throw e;
      } finally {
        ctx.display.finish();
      }
      if (ctx.output === 'json') printJson(ctx, { id, type: kind, file, bytes });
      else ctx.display.note(`Wrote ${bytes} bytes of ${kind} ${id} to ${file}`);
      return EXIT_OK;
    }));
}
