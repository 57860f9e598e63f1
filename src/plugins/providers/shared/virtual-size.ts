import { AppError } from '../../../domain/errors.js';
import type { Exec } from '../../sdk/index.js';

/** The guest-visible size of a qcow2 file (`qemu-img info`): what a volume or disk must provide. */
export async function qcow2VirtualSize(exec: Exec, path: string): Promise<number> {
  const r = await exec(['qemu-img', 'info', '--output=json', '-f', 'qcow2', path], { onLine: () => undefined });
  const size = (JSON.parse(r.stdout) as { 'virtual-size'?: number })['virtual-size'];
  if (!size) throw new AppError('BUILD_FAILED', `qemu-img info found no virtual size in ${path}`);
  return size;
}
