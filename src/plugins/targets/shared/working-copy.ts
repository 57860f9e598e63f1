import { join } from 'node:path';
import type { Exec } from '../../sdk/index.js';

/**
 * A private sparse copy of the base image's raw disk, so in-image edits never touch the base image.
 * `cp --sparse=always` keeps holes (and reflinks where the filesystem can): seconds, not minutes.
 */
export async function sparseCopy(exec: Exec, source: string, dest: string): Promise<string> {
  await exec(['cp', '--sparse=always', source, dest]);
  return dest;
}

export function workingDiskPath(workDir: string): string {
  return join(workDir, 'working-disk.raw');
}
