/** Removes a build's image tree, but never while anything is still mounted below it. */
import { realpath, rm } from 'node:fs/promises';
import { mountPoints, unmountBelow } from './chroot-session.js';

export async function removeTree(root: string): Promise<void> {
  await unmountBelow(root);
  const real = await realpath(root).catch(() => root);
  const busy = (await mountPoints()).some((p) => p.startsWith(`${real}/`));
  if (!busy) await rm(root, { recursive: true, force: true });
}
