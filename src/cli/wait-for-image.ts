import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageKind } from '../domain/image.js';
import type { CliContext } from './cli-context.js';
import { getImage, type ImageDoc } from './find-image.js';

const DONE = new Set(['COMPLETE', 'FAILED', 'DELETED', 'DELETEFAILED']);

/** Polls an image until its build ends, showing status, percent and activity on stderr as they change. */
export async function waitForImage(ctx: CliContext, kind: ImageKind, id: string): Promise<ImageDoc> {
  let shown = '';
  for (;;) {
    const image = await getImage(ctx.client, kind, id);
    const activity = (image.status_detail as { activity?: string } | undefined)?.activity ?? '';
    const line = `[${String(Math.round(Number(image.percent_complete ?? 0))).padStart(3)}%] ${image.status}: ${activity}`;
    if (line !== shown) {
      ctx.io.stderr.write(`${line}\n`);
      shown = line;
    }
    if (DONE.has(image.status)) return image;
    await sleep(ctx.pollMs);
  }
}
