import { readFileSync, statSync } from 'node:fs';
import { AppError } from '../domain/errors.js';
import { CREDENTIAL_REF_PATTERN } from '../domain/credential-ref.js';
import type { CredentialStore } from '../core/ports/credential-store.js';

/** Environment variables that define credential sets: IMAGEFACTORY_CREDENTIAL_SET_PROD_AWS='{"access_key": …}'. */
export const CREDENTIAL_SET_ENV_PREFIX = 'IMAGEFACTORY_CREDENTIAL_SET_';

export interface CredentialSetOptions {
  /** JSON file `{"name": credentials document, …}`; must be the daemon user's and mode 0600 or stricter. */
  file: string | null;
  /** Whether a missing file is an error (it was named explicitly) or means "no file sets". */
  required: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Credential sets from a file only the daemon can read and from its environment. The file is read
 * again when it changes, so keys can be rotated without a restart; a file that became readable by
 * others is refused rather than used. Values are never logged, and errors never quote the file.
 */
export class CredentialSets implements CredentialStore {
  private fileSets: Record<string, unknown> = {};
  private fileStamp = '';

  private constructor(private readonly opts: CredentialSetOptions) {}

  /** Reads and checks the file now, so a bad file stops start-up with a message naming it. */
  static open(opts: CredentialSetOptions): CredentialSets {
    const sets = new CredentialSets(opts);
    sets.refresh();
    return sets;
  }

  get(name: string): unknown {
    if (!CREDENTIAL_REF_PATTERN.test(name)) return undefined;
    this.refresh();
    if (Object.hasOwn(this.fileSets, name)) return this.fileSets[name];
    const raw = this.opts.env[envName(name)];
    if (raw === undefined || raw === '') return undefined;
    const text = raw.trim();
    if (text.startsWith('{')) {
      try { return JSON.parse(text); } catch {
        throw new AppError('CONFIG_INVALID', `environment variable ${envName(name)} is not valid JSON`);
      }
    }
    return text; // XML or another text form the provider plugin reads
  }

  names(): readonly string[] {
    this.refresh();
    const fromEnv = Object.keys(this.opts.env)
      .filter((k) => k.startsWith(CREDENTIAL_SET_ENV_PREFIX) && this.opts.env[k])
      .map((k) => k.slice(CREDENTIAL_SET_ENV_PREFIX.length).toLowerCase().replace(/_/g, '-'));
    return [...new Set([...Object.keys(this.fileSets), ...fromEnv])].sort();
  }

  private refresh(): void {
    const { file } = this.opts;
    if (!file) return;
    let st;
    try { st = statSync(file); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !this.opts.required) { this.fileSets = {}; this.fileStamp = ''; return; }
      throw new AppError('CONFIG_INVALID', `credentials_file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const stamp = `${st.mtimeMs}:${st.size}:${st.mode}:${st.uid}`;
    if (stamp === this.fileStamp) return;
    if ((st.mode & 0o077) !== 0) {
      throw new AppError('CONFIG_INVALID', `credentials_file ${file} is accessible to group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new AppError('CONFIG_INVALID', `credentials_file ${file} must belong to the user imagefactoryd runs as (uid ${process.getuid()})`);
    }
    let parsed: unknown;
    try { parsed = JSON.parse(readFileSync(file, 'utf8')); } catch {
      throw new AppError('CONFIG_INVALID', `credentials_file ${file} is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AppError('CONFIG_INVALID', `credentials_file ${file} must hold a JSON object of named credential sets`);
    }
    const bad = Object.keys(parsed).filter((k) => !CREDENTIAL_REF_PATTERN.test(k));
    if (bad.length) throw new AppError('CONFIG_INVALID', `credentials_file ${file}: invalid set names ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    this.fileSets = Object.assign(Object.create(null) as Record<string, unknown>, parsed);
    this.fileStamp = stamp;
  }
}

function envName(name: string): string {
  return CREDENTIAL_SET_ENV_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
