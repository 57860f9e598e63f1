import type { ImageKind } from '../domain/image.js';
import type { CliContext } from './cli-context.js';
import type { ImageDoc } from './find-image.js';
import { reportImage } from './image-report.js';
import { waitForImage } from './wait-for-image.js';

/** After a create: report at once with --nowait, else wait for the build to end and report it. */
export async function finishSubmission(ctx: CliContext, kind: ImageKind, created: ImageDoc): Promise<number> {
  if (ctx.nowait) return reportImage(ctx, kind, created, false);
  ctx.display.note(`Created ${kind} ${created.id}; waiting for the build to end`);
  const done = await waitForImage(ctx, kind, created.id);
  return reportImage(ctx, kind, done);
}
