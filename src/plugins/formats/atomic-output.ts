import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Runs `write` against a temporary name next to `output` and renames it into place only on success,
 * so a failed or cancelled conversion never leaves a truncated file under the final name.
 */
export async function writeAtomically<T>(output: string, write: (tmpPath: string) => Promise<T>): Promise<T> {
  const tmp = join(dirname(output), `.${basename(output)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    const result = await write(tmp);
    await rename(tmp, output);
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
