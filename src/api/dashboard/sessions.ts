import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'if_session';

export interface DashboardSession {
  id: string;
  /** Sent back in X-CSRF-Token on every write: a cross-site form cannot read or set it. */
  csrf: string;
  user: string;
  expiresAt: number;
}

export interface DashboardSessionOptions {
  /** OAuth consumers {key: secret}: they log in with their key and secret. */
  clients: Readonly<Record<string, string>>;
  /** Config dashboard_users {login: password}. */
  users: Readonly<Record<string, string>>;
  ttlMs?: number;
  maxSessions?: number;
  /** Failed log-ins of one name within `failureWindowMs` after which that name is refused until the window passes. */
  maxFailures?: number;
  failureWindowMs?: number;
  now?: () => number;
}

/**
 * Dashboard log-ins. Browsers cannot sign OAuth requests, so a consumer (or a configured dashboard
 * user) proves its secret once, server-side, and gets an opaque session id in an HttpOnly cookie.
 * Sessions live in memory: a daemon restart logs everyone out, which is the safe failure.
 */
export class DashboardSessions {
  private readonly sessions = new Map<string, DashboardSession>();
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly options: DashboardSessionOptions) {
    this.ttlMs = options.ttlMs ?? 12 * 3600 * 1000;
    this.maxSessions = options.maxSessions ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Whether anyone at all can log in (otherwise the login form says how to configure it). */
  get hasAccounts(): boolean {
    return Object.keys(this.options.clients).length + Object.keys(this.options.users).length > 0;
  }

  /** Whether `name` has failed too often lately: guessing a secret through the form is throttled. */
  locked(name: string): boolean {
    const f = this.failures.get(name);
    if (!f) return false;
    if (this.now() - f.since > (this.options.failureWindowMs ?? 10 * 60_000)) { this.failures.delete(name); return false; }
    return f.count >= (this.options.maxFailures ?? 10);
  }

  login(name: string, secret: string): DashboardSession | undefined {
    if (this.locked(name)) return undefined;
    const known = (table: Readonly<Record<string, string>>) => Object.hasOwn(table, name) && sameSecret(String(table[name]), secret);
    // Both tables are always checked, so the time taken does not tell which table holds the name.
    const asClient = known(this.options.clients);
    const asUser = known(this.options.users);
    if (!asClient && !asUser) {
      const f = this.failures.get(name) ?? { count: 0, since: this.now() };
      f.count++;
      if (this.failures.size >= 10_000 && !this.failures.has(name)) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(name, f);
      return undefined;
    }
    this.failures.delete(name);
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const session = { id: token(), csrf: token(), user: name, expiresAt: this.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): DashboardSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) { this.sessions.delete(id); return undefined; }
    return s;
  }

  logout(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** The session named by a request's Cookie header. */
  fromCookieHeader(cookie: string | undefined): DashboardSession | undefined {
    return this.get(readCookie(cookie, SESSION_COOKIE));
  }
}

/** Constant-time comparison of two secrets of any length (digests have equal length). */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
