import { AppError, isAppError } from '../../../domain/errors.js';
import type { Exec } from '../../sdk/index.js';
import { scrub } from '../shared/provider-failure.js';

/**
 * Runs virsh against one connection. The URI goes through LIBVIRT_DEFAULT_URI, not argv, because
 * it may carry an SSH key path; virsh's stderr reaches the build log and errors with every
 * credential value scrubbed. Failures become PROVIDER_FAILED with libvirt's own message.
 */
export class Virsh {
  constructor(
    private readonly exec: Exec,
    private readonly uri: string,
    private readonly secrets: readonly string[],
    private readonly log: (line: string) => void,
  ) {}

  /** `quiet`: a probe whose failure is an answer (exists? supported?), so its stderr stays out of the log. */
  async run(args: readonly string[], opts: { logCommand?: boolean; quiet?: boolean } = {}): Promise<string> {
    if (opts.logCommand) this.log(`virsh ${args.join(' ')}`);
    try {
      const r = await this.exec(['virsh', '-q', ...args], {
        env: { LIBVIRT_DEFAULT_URI: this.uri },
        onLine: (line, stream) => { if (!opts.quiet && stream === 'stderr' && line.trim()) this.log(scrub(line, this.secrets)); },
      });
      return r.stdout;
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** Like run, but a "no such object" answer is null instead of a failure (and is not logged). */
  async runIfExists(args: readonly string[], opts: { logCommand?: boolean } = {}): Promise<string | null> {
    try {
      return await this.run(args, { ...opts, quiet: true });
    } catch (e) {
      if (isAppError(e) && e.code === 'PROVIDER_FAILED' && isNotFound(e.message)) return null;
      throw e;
    }
  }

  private failure(e: unknown): AppError {
    if (isAppError(e) && (e.code === 'BUILD_CANCELLED' || e.code === 'TOOL_MISSING')) return e;
    const text = isAppError(e) ? e.message.replace(/^virsh failed \(exit \d+\): /, '') : String((e as Error)?.message ?? e);
    return new AppError('PROVIDER_FAILED', scrub(`libvirt: ${text.split('\n').map((l) => l.replace(/^error: /, '')).filter(Boolean).join('; ')}`, this.secrets));
  }
}

/** libvirt's "no such pool/volume/domain" errors (VIR_ERR_NO_STORAGE_VOL, VIR_ERR_NO_DOMAIN…). */
export function isNotFound(message: string): boolean {
  return /Storage volume not found|Domain not found|failed to get (vol|domain)|no storage vol/i.test(message);
}
