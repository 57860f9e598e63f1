/** Rejects templates this plugin cannot build, before anything is persisted. */
import type { Tdl } from '../../../domain/template/tdl.js';
import { kernelParamProblem } from '../shared/grub-config.js';
import { describeSupportedReleases, resolveRelease } from './releases.js';

/** dnf package specs: names, name-version, @groups, /file provides. Never starting with "-" (an option). */
const PACKAGE_SPEC = /^[@/A-Za-z0-9_][A-Za-z0-9_+.:~^*/-]*$/;
const URL = /^(https?|ftp|file):\/\/\S+$/;

export function checkRedHatTemplate(t: Tdl): string[] {
  const problems: string[] = [];
  const lookup = resolveRelease(t.os.name, t.os.version);
  if ('problem' in lookup) problems.push(lookup.problem);
  if (t.os.arch !== 'x86_64') {
    problems.push(`architecture ${t.os.arch} is not supported for ${t.os.name}: only x86_64 is built`);
  }
  if (t.os.install.type !== 'url') {
    problems.push(`<install type='${t.os.install.type}'> is not supported for ${t.os.name}: the RedHat plugin installs `
      + `${describeSupportedReleases()} on x86_64 only from a package repository with dnf, `
      + `<install type='url'><url>REPOSITORY</url></install> (a directory with repodata/repomd.xml)`);
  } else if (!URL.test(t.os.install.url.trim())) {
    problems.push(`the install url must be the http(s) URL of an rpm repository (the directory holding repodata/), got "${t.os.install.url}"`);
  }
  for (const p of t.packages) {
    if (!PACKAGE_SPEC.test(p.name)) problems.push(`"${p.name}" is not a valid package name for dnf`);
  }
  const kp = kernelParamProblem(t.os.kernelparam);
  if (kp) problems.push(kp);
  for (const r of t.repositories) {
    if (!URL.test(r.url.trim())) problems.push(`repository "${r.name}": url must be one http(s) URL of an rpm repository`);
  }
  for (const f of t.files) {
    if (!f.name.startsWith('/')) problems.push(`file "${f.name}": the name must be an absolute path inside the image`);
  }
  return problems;
}
