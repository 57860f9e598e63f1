import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageKind } from '../domain/image.js';
import type { CliContext } from './cli-context.js';
import { getImage, type ImageDoc } from './find-image.js';

const DONE = new Set(['COMPLETE', 'FAILED', 'DELETED', 'DELETEFAILED']);

/** Polls an image until its build ends, showing status, percent and activity as they change. */
export async function waitForImage(ctx: CliContext, kind: ImageKind, id: string): Promise<ImageDoc> {
  try {
    for (;;) {
      const image = await getImage(ctx.client, kind, id);
      showImage(ctx, kind, image);
      if (DONE.has(image.status)) return image;
      await sleep(ctx.pollMs);
    }
  } finally {
    ctx.display.finish();
  }
}

export function showImage(ctx: CliContext, kind: ImageKind, image: ImageDoc): void {
  const activity = (image.status_detail as { activity?: string } | undefined)?.activity ?? '';
  ctx.display.build({ id: image.id, kind, status: image.status, percent: Number(image.percent_complete ?? 0), activity });
}
