import { IMAGE_COLLECTION, type ImageKind } from '../domain/image.js';
import { EXIT_FAILED, EXIT_OK, printJson, type CliContext } from './cli-context.js';
import type { ImageDoc } from './find-image.js';

/**
 * Prints an image the way the original CLI ended a build: the "Final Image Details" block that
 * scripts parse (UUID, Type, Image filename, Image ID on provider), or the unwrapped metadata with
 * --output json. Returns 0 for COMPLETE (or a build not waited for), 1 otherwise.
 */
export function reportImage(ctx: CliContext, kind: ImageKind, image: ImageDoc, waited = true): number {
  const ok = !waited || image.status === 'COMPLETE';
  if (ctx.output === 'json') {
    printJson(ctx, image);
    return ok ? EXIT_OK : EXIT_FAILED;
  }
  const lines = [
    '',
    '============ Final Image Details ============',
    `UUID: ${image.id}`,
    `Type: ${kind}`,
    `Status: ${image.status}`,
    // The body lives on the daemon; this URL is where `download` (or any HTTP client) fetches it.
    `Image filename: ${ctx.client.urlOf(`${IMAGE_COLLECTION[kind]}/${image.id}/raw_image`)}`,
  ];
  if (kind === 'provider_image') lines.push(`Image ID on provider: ${image.identifier_on_provider ?? ''}`);
  if (!waited) lines.push(`Image build started (not waiting: follow it with "imagefactory log ${image.id} --follow")`);
  else if (ok) lines.push('Image build completed SUCCESSFULLY!');
  else lines.push(`Image build FAILED with error: ${(image.status_detail as { error?: string } | undefined)?.error ?? image.status}`);
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return ok ? EXIT_OK : EXIT_FAILED;
}
