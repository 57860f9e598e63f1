import { readCredentialsDocument, type FieldMap } from '../../sdk/provider-documents.js';

/**
 * How the push authenticates to Glance, chosen by the credentials' `strategy`:
 * - `keystone` (the default when auth_url is given): a Keystone v3 password token, scoped to `tenant`;
 * - `token`: a pre-issued token sent as X-Auth-Token (the original's `<token/>`);
 * - `trusted`: Glance behind an authenticating proxy, which trusts the identity headers
 *   (X-Identity-Status, X-User-Id, X-Project-Id, X-Roles) — the "keystone pipeline without authtoken";
 * - `noauth`: Glance's stock unauthenticated pipeline, no headers at all.
 */
export type OpenstackAuth =
  | { strategy: 'keystone'; authUrl: string; username: string; password: string; tenant: string; userDomain: string; projectDomain: string }
  | { strategy: 'token'; token: string; username: string | null }
  | { strategy: 'trusted'; username: string; tenant: string; roles: string }
  | { strategy: 'noauth' };

const STRATEGIES = ['keystone', 'token', 'trusted', 'noauth'];

/** openrc variables (the CERN client posts an openrc file as the credentials) → credential fields. */
const OPENRC: Record<string, string> = {
  OS_AUTH_URL: 'auth_url', OS_USERNAME: 'username', OS_PASSWORD: 'password', OS_TENANT_NAME: 'tenant',
  OS_PROJECT_NAME: 'tenant', OS_USER_DOMAIN_NAME: 'user_domain_name', OS_PROJECT_DOMAIN_NAME: 'project_domain_name', OS_TOKEN: 'token',
};

/**
 * Reads `<provider_credentials><openstack_credentials><auth_url/><username/><password/><tenant/>
 * [<strategy/>][<token/>]</openstack_credentials></provider_credentials>`, the same fields as JSON, or an
 * openrc text (`export OS_USERNAME=...` lines, read as data, never run).
 */
export function readOpenstackAuth(credentials: unknown): { auth?: OpenstackAuth; problems: string[] } {
  const fields = typeof credentials === 'string' && /^\s*(#|export\s|OS_)/m.test(credentials) && !/^\s*[{<]/.test(credentials)
    ? readOpenrc(credentials)
    : readCredentialsDocument(credentials, 'openstack');
  if (fields.problem !== undefined) return { problems: [fields.problem] };
  const f = fields.fields;
  const strategy = (f.strategy || (f.token ? 'token' : f.auth_url ? 'keystone' : '')).toLowerCase();
  if (!STRATEGIES.includes(strategy)) {
    return { problems: [strategy ? `unknown strategy "${strategy}" (expected ${STRATEGIES.join(', ')})` : 'the credentials need auth_url, username, password and tenant (or a token, or a strategy)'] };
  }
  const missing = (names: string[]) => names.filter((n) => !f[n]);
  if (strategy === 'keystone') {
    const m = missing(['auth_url', 'username', 'password', 'tenant']);
    if (m.length) return { problems: [`keystone credentials need ${m.join(', ')}`] };
    if (!/^https?:\/\//i.test(f.auth_url)) return { problems: ['auth_url must be an http(s) URL'] };
    return {
      auth: {
        strategy, authUrl: f.auth_url, username: f.username, password: f.password, tenant: f.tenant,
        userDomain: f.user_domain_name || f.domain || 'Default', projectDomain: f.project_domain_name || f.domain || 'Default',
      },
      problems: [],
    };
  }
  if (strategy === 'token') return f.token ? { auth: { strategy, token: f.token, username: f.username || null }, problems: [] } : { problems: ['the token strategy needs a token'] };
  if (strategy === 'trusted') {
    const m = missing(['username', 'tenant']);
    if (m.length) return { problems: [`trusted credentials need ${m.join(', ')}`] };
    // One role: some clients URL-encode the comma of a role list.
    return { auth: { strategy, username: f.username, tenant: f.tenant, roles: f.roles || 'admin' }, problems: [] };
  }
  return { auth: { strategy: 'noauth' }, problems: [] };
}

function readOpenrc(text: string): { fields: FieldMap; problem?: undefined } {
  const fields: FieldMap = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z_]+)=(.*)$/.exec(line);
    if (!m || !OPENRC[m[1]]) continue;
    fields[OPENRC[m[1]]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return { fields };
}

/** The account a push is recorded under (provider_account_identifier). */
export function accountOf(auth: OpenstackAuth): string | null {
  if (auth.strategy === 'noauth') return null;
  return auth.username;
}
