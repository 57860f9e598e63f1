/**
 * Runs the host's dnf against the image tree and turns its failures into messages a template
 * author can act on: which package names matched nothing, which repository URL could not be read.
 */
import type { Exec } from '../../../sdk/exec.js';
import { AppError } from '../../../../domain/errors.js';
import type { RepoDefinition } from './dnf-config.js';
import { DnfRunProgress, type DnfProgress } from './dnf-progress.js';

export interface DnfEnvironment {
  exec: Exec;
  /** HOME for dnf and rpm: holds the .rpmmacros with the release's database path. */
  rpmHome: string;
  repos: readonly RepoDefinition[];
  log(line: string): void;
}

/** Runs dnf; returns its stdout lines (queries print their answers there, progress goes to stderr). */
export async function runDnf(env: DnfEnvironment, argv: readonly string[], what: string, onProgress?: (p: DnfProgress) => void): Promise<string[]> {
  const lines: string[] = [];
  const tracker = new DnfRunProgress(what.charAt(0).toUpperCase() + what.slice(1));
  try {
    const { stdout } = await env.exec(argv, {
      env: { HOME: env.rpmHome, LC_ALL: 'C.UTF-8' },
      onLine: (line) => {
        lines.push(line);
        env.log(line);
        const p = onProgress && tracker.feed(line);
        if (p) onProgress!(p);
      },
    });
    return stdout.split('\n');
  } catch (e) {
    throw explainDnfFailure(e, lines, env.repos, what);
  }
}

/** Maps dnf's own error lines to an AppError; anything unrecognised keeps dnf's stderr tail. */
export function explainDnfFailure(e: unknown, lines: readonly string[], repos: readonly RepoDefinition[], what: string): unknown {
  if (!(e instanceof AppError) || e.code !== 'TOOL_FAILED') return e;
  const missing = lines.map((l) => /^No match for argument: (.+)$/.exec(l.trim())?.[1]).filter((x): x is string => !!x);
  if (missing.length) {
    return new AppError('BUILD_FAILED', `${what}: no package or group named ${missing.map((m) => `"${m}"`).join(', ')} `
      + `in the repositories ${repos.map((r) => r.url).join(', ')}`, { cause: e });
  }
  const repoId = lines.map((l) => /Failed to download metadata for repo '([^']+)'/.exec(l)?.[1]).find(Boolean);
  if (repoId) {
    const url = repos.find((r) => r.id === repoId)?.url ?? repoId;
    const reason = lines.map((l) => l.trim()).find((l) => /^- (Curl error|Status code|Librepo error)/.test(l))?.slice(2);
    return new AppError('BUILD_FAILED', `${what}: the repository ${url} cannot be read (is it an rpm repository with `
      + `repodata/repomd.xml?)${reason ? `: ${reason}` : ''}`, { cause: e });
  }
  return new AppError('TOOL_FAILED', `${what}: ${e.message}`, { cause: e, details: e.details });
}
