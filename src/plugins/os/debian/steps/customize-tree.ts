/**
 * The Debian parts of the template's customization, inside the image: the template's packages with
 * apt and the root password with chpasswd (files and commands: shared/template-customization).
 */
import { AppError } from '../../../../domain/errors.js';
import type { ChrootSession } from '../../shared/chroot-session.js';
import { explainToolFailure } from '../../shared/template-customization.js';
import { AptRunProgress, type ToolProgress } from './apt-progress.js';

export function aptInstallArgv(packages: readonly string[]): string[] {
  return [
    'apt-get', 'install', '-y', '--no-install-recommends',
    '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--', ...packages,
  ];
}

/** `progress` gets apt's own counts (downloads, unpacked, configured) while the packages install. */
export async function installPackages(
  s: ChrootSession, packages: readonly string[], refreshLists: boolean,
  progress?: { log: (line: string) => void; onProgress: (p: ToolProgress) => void },
): Promise<void> {
  if (packages.length === 0) return;
  try {
    if (refreshLists) await s.run(['apt-get', 'update']);
    const tracker = new AptRunProgress('Installing the template packages');
    await s.run(aptInstallArgv(packages), progress ? {
      onLine: (line) => {
        progress.log(line);
        const p = tracker.feed(line);
        if (p) progress.onProgress(p);
      },
    } : {});
  } catch (e) {
    throw explainToolFailure(e, `installing the template's packages (${packages.join(', ')}) failed`);
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
