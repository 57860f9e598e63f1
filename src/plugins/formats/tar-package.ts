import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Exec } from '../sdk/exec.js';
import { AppError } from '../../domain/errors.js';
import { writeAtomically } from './atomic-output.js';
import { hasCommand } from '../../platform/exec.js';

/** One member of a package, in archive order: a file on disk or literal content. */
export type TarEntry = { name: string; path: string } | { name: string; content: string | Buffer };

export interface TarPackageRequest {
  output: string;
  entries: readonly TarEntry[];
  /** gzip the archive (Vagrant boxes, RHEV OVAs). */
  gzip?: boolean;
  exec: Exec;
  log(line: string): void;
}

/** ustar stores sizes in 11 octal digits: members of 8 GiB or more need the POSIX (pax) format. */
const USTAR_MAX_MEMBER = 8 * 1024 ** 3 - 1;

/**
 * Writes a tar whose members appear exactly in the given order (OVF requires the descriptor first
 * and the manifest second). Files are symlinked into a staging tree and stored dereferenced, so
 * nothing large is copied. ustar is used as OVF asks; pax only when a member is too big for ustar.
 */
export async function writeTarPackage(req: TarPackageRequest): Promise<void> {
  const names = req.entries.map((e) => e.name);
  for (const name of names) {
    if (name.startsWith('/') || name.split('/').includes('..') || !name) {
      throw new AppError('INTERNAL', `unsafe tar member name: ${name}`);
    }
  }
  if (new Set(names).size !== names.length) throw new AppError('INTERNAL', 'duplicate tar member names');
  let tarFormat = 'ustar';
  for (const e of req.entries) {
    if ('path' in e && (await stat(e.path)).size > USTAR_MAX_MEMBER) {
      tarFormat = 'posix';
      req.log(`${e.name} is 8 GiB or larger: writing a POSIX (pax) tar instead of ustar`);
    }
  }
  const compress = req.gzip ? ((await hasCommand('pigz')) ? ['-I', 'pigz'] : ['-z']) : [];
  await writeAtomically(req.output, async (tmp) => {
    const staging = `${tmp}.d`;
    await mkdir(staging);
    try {
      for (const e of req.entries) {
        const target = join(staging, e.name);
        await mkdir(dirname(target), { recursive: true });
        if ('path' in e) await symlink(resolve(e.path), target);
        else await writeFile(target, e.content, { mode: 0o644 });
      }
      await req.exec([
        'tar', `--format=${tarFormat}`, '-h', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rw,go+r',
        ...compress, '-cf', tmp, '-C', staging, '--', ...names,
      ]);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}
