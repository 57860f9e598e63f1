/**
 * The template's own customization, in Oz's order, all inside the image: precommands, the
 * template's packages, files, commands, then the root password. Template text is only ever an
 * argument of `chroot ROOT ...` (or its stdin): it never reaches a host shell.
 */
import type { Tdl, TdlCommand } from '../../../../domain/template/tdl.js';
import { AppError } from '../../../../domain/errors.js';
import type { ChrootSession } from './chroot-session.js';
import { resolveContent } from '../../shared/template-content.js';

export function aptInstallArgv(packages: readonly string[]): string[] {
  return [
    'apt-get', 'install', '-y', '--no-install-recommends',
    '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--', ...packages,
  ];
}

/** Writes stdin to PATH inside the image; PATH is "$1", never spliced into the script. */
export const WRITE_FILE_ARGV = (path: string): string[] =>
  ['/bin/sh', '-c', 'umask 022 && mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', 'imagefactory-write-file', path];

export async function runCommands(s: ChrootSession, commands: readonly TdlCommand[], kind: string, signal?: AbortSignal): Promise<void> {
  for (const c of commands) {
    const script = (await resolveContent(`${kind} "${c.name}"`, c.type, c.content, signal)).toString('utf8');
    try {
      await s.run(['/bin/sh', '-c', script]);
    } catch (e) {
      throw rewrap(e, `${kind} "${c.name}" failed inside the image`);
    }
  }
}

export async function installPackages(s: ChrootSession, packages: readonly string[], refreshLists: boolean): Promise<void> {
  if (packages.length === 0) return;
  try {
    if (refreshLists) await s.run(['apt-get', 'update']);
    await s.run(aptInstallArgv(packages));
  } catch (e) {
    throw rewrap(e, `installing the template's packages (${packages.join(', ')}) failed`);
  }
}

export async function writeFiles(s: ChrootSession, files: Tdl['files'], signal?: AbortSignal): Promise<void> {
  for (const f of files) {
    const data = await resolveContent(`file "${f.name}"`, f.type, f.content, signal);
    try {
      await s.run(WRITE_FILE_ARGV(f.name), { input: data });
    } catch (e) {
      throw rewrap(e, `writing file "${f.name}" into the image failed`);
    }
  }
}

/** Sets the root password through chpasswd inside the image: it hashes it; the text goes via stdin only. */
export async function setRootPassword(s: ChrootSession, password: string): Promise<void> {
  if (/[\r\n]/.test(password)) throw new AppError('TEMPLATE_INVALID', 'rootpw may not contain a line break');
  try {
    await s.run(['chpasswd'], { input: `root:${password}\n`, onLine: () => {} });
  } catch (e) {
    // chpasswd's own message never contains the password; keep only its exit status to be safe.
    throw new AppError('TOOL_FAILED', 'setting the root password with chpasswd failed', { cause: e });
  }
}

function rewrap(e: unknown, what: string): unknown {
  if (e instanceof AppError && e.code === 'TOOL_FAILED') {
    const tail = e.message.replace(/^chroot failed /, '');
    return new AppError('TOOL_FAILED', `${what}: ${tail}`, { cause: e, details: e.details });
  }
  return e;
}
