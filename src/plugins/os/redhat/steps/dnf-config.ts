/**
 * What the host's dnf is told, all as files in the build's scratch directory and argv: a dnf.conf,
 * one .repo file per repository (the install URL as the base repository, then the template's
 * <repositories>), and an .rpmmacros that points rpm at the release's database path (rpm reads
 * ~/.rpmmacros, so the build runs dnf and rpm with HOME set to that directory).
 */
import type { TdlRepository } from '../../../../domain/template/tdl.js';
import type { RedHatRelease } from '../releases.js';

export const BASE_REPO_ID = 'imagefactory-base';

export interface RepoDefinition {
  id: string;
  url: string;
  /** Kept in the image's /etc/yum.repos.d after the build. */
  persisted: boolean;
  text: string;
}

/** Like Oz's kickstart `url`, the install tree is not signature-checked; <repositories> say so per repository. */
export function dnfConfText(): string {
  return [
    '[main]', 'gpgcheck=0', 'install_weak_deps=False', 'best=True', 'skip_if_unavailable=False',
    'keepcache=True', 'retries=3', 'timeout=60', 'minrate=100', 'installonly_limit=3', 'clean_requirements_on_remove=True', '',
  ].join('\n');
}

export function rpmMacrosText(release: RedHatRelease): string {
  return `%_dbpath ${release.dbPath}\n%_db_backend sqlite\n`;
}

/** Repository ids: "imagefactory-" + the name made safe, unique within the build. */
export function repositoryDefinitions(baseUrl: string, repos: readonly TdlRepository[]): RepoDefinition[] {
  const out: RepoDefinition[] = [
    { id: BASE_REPO_ID, url: baseUrl, persisted: false, text: repoText(BASE_REPO_ID, 'Install tree', baseUrl, false, true) },
  ];
  const ids = new Set([BASE_REPO_ID]);
  for (const r of repos) {
    const stem = `imagefactory-${r.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    let id = stem;
    for (let n = 2; ids.has(id); n++) id = `${stem}-${n}`;
    ids.add(id);
    const url = r.url.trim();
    out.push({ id, url, persisted: r.persisted, text: repoText(id, r.name, url, r.signed, r.sslverify) });
  }
  return out;
}

function repoText(id: string, name: string, url: string, gpgcheck: boolean, sslverify: boolean): string {
  return [
    `[${id}]`, `name=${name.replace(/[\r\n]+/g, ' ')}`, `baseurl=${url}`, 'enabled=1',
    `gpgcheck=${gpgcheck ? 1 : 0}`, `sslverify=${sslverify ? 1 : 0}`, '',
  ].join('\n');
}

export interface DnfPaths {
  root: string;
  confPath: string;
  reposDir: string;
  /** Shared between builds of the same release (downloaded rpms and metadata). */
  cacheDir: string;
}

/** Common arguments of every dnf run against the image tree; host repositories never take part. */
export function dnfBaseArgv(p: DnfPaths, release: RedHatRelease): string[] {
  return [
    'dnf', '-y', `--installroot=${p.root}`, `--releasever=${release.releasever}`, '--forcearch=x86_64',
    '-c', p.confPath, `--setopt=reposdir=${p.reposDir}`, `--setopt=cachedir=${p.cacheDir}`,
  ];
}

export function dnfInstallArgv(p: DnfPaths, release: RedHatRelease, specs: readonly string[]): string[] {
  return [...dnfBaseArgv(p, release), 'install', '--', ...specs];
}
