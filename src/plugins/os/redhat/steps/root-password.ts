/**
 * Sets root's password. The host's openssl hashes it (SHA-512 crypt, the RHEL/Fedora default), the
 * password going only through stdin; the hash is then put into the image's /etc/shadow by a fixed
 * script run in the chroot, reading the hash from stdin: usermod when the image has it, else sed.
 */
import type { Exec } from '../../../sdk/exec.js';
import { AppError } from '../../../../domain/errors.js';
import type { ChrootSession } from '../../shared/chroot-session.js';

export const SET_HASH_SCRIPT = [
  'IFS= read -r h',
  'if command -v usermod >/dev/null 2>&1; then exec usermod -p "$h" root; fi',
  'grep -q "^root:" /etc/shadow || { echo "no root entry in /etc/shadow" >&2; exit 1; }',
  // A crypt hash only holds [A-Za-z0-9./$], so "|" is a safe sed delimiter.
  'sed -i "s|^root:[^:]*:|root:$h:|" /etc/shadow',
].join('\n');

export async function hashPassword(exec: Exec, password: string): Promise<string> {
  if (/[\r\n]/.test(password)) throw new AppError('TEMPLATE_INVALID', 'rootpw may not contain a line break');
  const { stdout } = await exec(['openssl', 'passwd', '-6', '-stdin'], { input: `${password}\n`, onLine: () => {} });
  const hash = stdout.trim();
  if (!/^\$6\$[A-Za-z0-9./$]+$/.test(hash)) throw new AppError('TOOL_FAILED', 'openssl passwd -6 did not print a SHA-512 crypt hash');
  return hash;
}

export async function setRootPassword(exec: Exec, s: ChrootSession, password: string): Promise<void> {
  const hash = await hashPassword(exec, password);
  try {
    await s.run(['/bin/sh', '-c', SET_HASH_SCRIPT, 'imagefactory-rootpw'], { input: `${hash}\n`, onLine: () => {} });
  } catch (e) {
    throw new AppError('TOOL_FAILED', 'setting the root password inside the image failed (it needs /bin/sh and usermod or sed)', { cause: e });
  }
}
