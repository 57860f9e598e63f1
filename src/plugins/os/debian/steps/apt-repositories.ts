/**
 * The template's <repositories> as apt sources inside the image. Following Oz, <url> is the rest
 * of a one-line entry: "URI [suite [component...]]"; a bare URI gets the release's suite and
 * components. Unsigned repositories are marked [trusted=yes]; signed ones keep apt's signature
 * checking (the key must be in the image, e.g. from <files> or a precommand). Non-persisted ones
 * are removed again by finalize-image.
 */
import type { TdlRepository } from '../../../../domain/template/tdl.js';
import type { DebianRelease } from '../releases.js';

export function repositoryFileName(repo: TdlRepository): string {
  return `imagefactory-${repo.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.list`;
}

export function repositorySourceLine(repo: TdlRepository, release: DebianRelease): string {
  const [uri, ...rest] = repo.url.trim().split(/\s+/);
  const suiteAndComponents = rest.length > 0 ? rest : [release.codename, ...release.components];
  return `deb ${repo.signed ? '' : '[trusted=yes] '}${uri} ${suiteAndComponents.join(' ')}\n`;
}

export interface RepositoryFile { path: string; text: string; persisted: boolean }

export function repositoryFiles(repos: readonly TdlRepository[], release: DebianRelease): RepositoryFile[] {
  return repos.map((r) => ({
    path: `/etc/apt/sources.list.d/${repositoryFileName(r)}`,
    text: repositorySourceLine(r, release),
    persisted: r.persisted,
  }));
}
