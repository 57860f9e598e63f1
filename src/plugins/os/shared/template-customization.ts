/**
 * The template's files and commands, applied inside the image. Template text is only ever an
 * argument of `chroot ROOT ...` (or its stdin): it never reaches a host shell, and paths resolve
 * inside the image even when a template command planted symlinks.
 */
import type { Tdl, TdlCommand } from '../../../domain/template/tdl.js';
import { AppError } from '../../../domain/errors.js';
import type { ChrootSession } from './chroot-session.js';
import { resolveContent } from './template-content.js';

/** Writes stdin to PATH inside the image; PATH is "$1", never spliced into the script. */
export const WRITE_FILE_ARGV = (path: string): string[] =>
  ['/bin/sh', '-c', 'umask 022 && mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', 'imagefactory-write-file', path];

export async function runCommands(s: ChrootSession, commands: readonly TdlCommand[], kind: string, signal?: AbortSignal): Promise<void> {
  for (const c of commands) {
    const script = (await resolveContent(`${kind} "${c.name}"`, c.type, c.content, signal)).toString('utf8');
    try {
      await s.run(['/bin/sh', '-c', script]);
    } catch (e) {
      throw explainToolFailure(e, `${kind} "${c.name}" failed inside the image`);
    }
  }
}

export async function writeFiles(s: ChrootSession, files: Tdl['files'], signal?: AbortSignal): Promise<void> {
  for (const f of files) {
    const data = await resolveContent(`file "${f.name}"`, f.type, f.content, signal);
    try {
      await s.run(WRITE_FILE_ARGV(f.name), { input: data });
    } catch (e) {
      throw explainToolFailure(e, `writing file "${f.name}" into the image failed`);
    }
  }
}

/** Puts what was being done in front of a chroot tool failure (keeping the tool's own stderr tail). */
export function explainToolFailure(e: unknown, what: string): unknown {
  if (e instanceof AppError && e.code === 'TOOL_FAILED') {
    const tail = e.message.replace(/^chroot failed /, '');
    return new AppError('TOOL_FAILED', `${what}: ${tail}`, { cause: e, details: e.details });
  }
  return e;
}
