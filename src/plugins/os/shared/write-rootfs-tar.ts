/** The finished tree as an uncompressed tar (for container targets), numeric owners, xattrs kept. */
import type { Exec } from '../../sdk/exec.js';

export function rootfsTarArgv(treeDir: string, tarPath: string): string[] {
  return [
    'tar', '--create', '--file', tarPath, '--directory', treeDir, '--numeric-owner', '--one-file-system',
    '--xattrs', '--xattrs-include=*', '--sort=name', '.',
  ];
}

export async function writeRootfsTar(exec: Exec, treeDir: string, tarPath: string): Promise<void> {
  await exec(rootfsTarArgv(treeDir, tarPath));
}
