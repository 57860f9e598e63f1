/** Rejects templates this plugin cannot build, before anything is persisted. */
import type { Tdl } from '../../../domain/template/tdl.js';
import { kernelParamProblem } from '../shared/grub-config.js';
import { describeSupportedReleases, resolveRelease } from './releases.js';

/** apt package names, optionally with =version, :arch or /release (passed as argv, never a shell). */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?([=/][A-Za-z0-9+.:~_-]+)?$/;

export function checkDebianTemplate(t: Tdl): string[] {
  const problems: string[] = [];
  const release = resolveRelease(t.os.name, t.os.version);
  if (!release) {
    problems.push(`${t.os.name} ${t.os.version} is not a release this plugin installs; supported: ${describeSupportedReleases()}`);
  }
  if (t.os.arch !== 'x86_64') {
    problems.push(`architecture ${t.os.arch} is not supported for ${t.os.name}: only x86_64 (Debian arch amd64) is built`);
  }
  if (t.os.install.type !== 'url') {
    problems.push(`<install type='${t.os.install.type}'> is not supported for ${t.os.name}: the Debian plugin installs `
      + `Debian and Ubuntu only from a package archive, <install type='url'><url>ARCHIVE</url></install>`);
  } else if (!/^(https?|file):\/\/\S+$/.test(t.os.install.url.trim())) {
    problems.push(`the install url must be an http(s) package archive URL such as http://deb.debian.org/debian, got "${t.os.install.url}"`);
  }
  for (const p of t.packages) {
    if (!PACKAGE_NAME.test(p.name)) problems.push(`"${p.name}" is not a valid Debian package name`);
  }
  const kp = kernelParamProblem(t.os.kernelparam);
  if (kp) problems.push(kp);
  for (const r of t.repositories) {
    if (/[\r\n]/.test(r.url) || !/^(https?|file):\/\/\S+/.test(r.url.trim())) {
      problems.push(`repository "${r.name}": url must be one line "URI [suite [component...]]" with an http(s) URI`);
    }
  }
  for (const f of t.files) {
    if (!f.name.startsWith('/')) problems.push(`file "${f.name}": the name must be an absolute path inside the image`);
  }
  return problems;
}
