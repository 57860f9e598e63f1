import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { Command } from 'commander';
import type { Runner } from '../cli-context.js';
import type { ImageDoc } from '../find-image.js';
import { buildParameters, UsageError, withParameterOptions } from '../parameters.js';
import { finishSubmission } from '../submit-image.js';

interface ImportOptions {
  name?: string;
  osName: string;
  osVersion: string;
  arch?: string;
  format?: string;
  description?: string;
  parameters?: string;
}

/** `import_base_image IMAGE_FILE`: upload an existing disk (streamed) and make it a base image. */
export function importBaseImageCommand(run: Runner): Command {
  return withParameterOptions(new Command('import_base_image'))
    .description('import an existing disk (raw, qcow2, vmdk, vhd, vhdx, vdi) as a base image')
    .argument('<image_file>', 'the disk image file')
    .requiredOption('--os-name <name>', 'OS name for the synthesised template (e.g. Debian)')
    .requiredOption('--os-version <version>', 'OS version (e.g. 12)')
    .option('--arch <arch>', 'architecture (default x86_64)')
    .option('--name <name>', 'template name (default: the file name without extension)')
    .option('--format <format>', 'the disk format, when known (raw, qcow2, vmdk, vpc/vhd, vhdx, vdi); probed otherwise')
    .option('--description <text>', 'template description')
    .action((file: string, opts: ImportOptions, command: Command) => run(command, async (ctx) => {
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new UsageError(`import_base_image: ${file} is not a readable file`);
      const parameters = await buildParameters(opts.parameters, ctx.parameterArgs);
      const query: Record<string, string> = {
        name: opts.name ?? (basename(file).replace(/\.[^.]+$/, '') || 'imported-image'),
        os_name: opts.osName, os_version: opts.osVersion,
      };
      for (const [key, value] of [['arch', opts.arch], ['format', opts.format], ['description', opts.description]] as const) {
        if (value) query[key] = value;
      }
      if (Object.keys(parameters).length) query.parameters = JSON.stringify(parameters);
      ctx.display.note(`Uploading ${file} (${info.size} bytes)`);
      // Counted as undici reads it: the bar shows what has gone to the daemon, not what was read ahead.
      let sent = 0;
      const label = `Uploading ${basename(file)}`;
      const counted = createReadStream(file).pipe(new Transform({
        transform(chunk: Buffer, _enc, done) {
          sent += chunk.length;
          ctx.display.transfer(label, sent, info.size);
          done(null, chunk);
        },
      }));
      ctx.display.transfer(label, 0, info.size);
      let doc: { base_image: ImageDoc };
      try {
        doc = await ctx.client.json<{ base_image: ImageDoc }>('POST', 'base_images/import', { query, stream: { body: counted, length: info.size } });
      } finally {
        ctx.display.finish();
      }
      return finishSubmission(ctx, 'base_image', doc.base_image);
    }));
}
