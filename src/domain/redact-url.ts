/** A URL as it may be shown or logged: its password replaced (postgres://user:REDACTED@host/db). */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:REDACTED@');
}
