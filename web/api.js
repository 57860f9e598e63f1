// The dashboard talks to the daemon's own API with its session cookie; writes carry the CSRF token.
export const session = { csrf: null, user: null, authRequired: false };
export let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
  /** The field an API message names ("template: …", "secret: …"), if any. */
  get field() { const m = /^([a-z_]+):\s/.exec(this.message); return m ? m[1] : null; }
}

export async function api(method, path, body, { signal } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['x-csrf-token'] = session.csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  if (!res.ok) {
    const text = (await res.text()).trim() || `HTTP ${res.status}`;
    if (res.status === 401 && session.authRequired && !path.startsWith('/dashboard/login')) onUnauthorized();
    throw new ApiError(res.status, text);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') ?? '';
  return /json/.test(type) ? res.json() : res.text();
}
