import { AppError } from '../../domain/errors.js';

export type ResponseFormat = 'json' | 'xml';

/**
 * The original's Accept rule (D23): any header containing "xml" gets XML; no header, a wildcard or
 * JSON gets JSON (application/* too: D24); anything else is 406.
 */
export function negotiateFormat(accept: string | undefined): ResponseFormat {
  if (!accept) return 'json';
  const a = accept.toLowerCase();
  if (a.includes('xml')) return 'xml';
  if (a.includes('*/*') || a.includes('application/json') || a.includes('application/*') || a.includes('+json')) return 'json';
  throw new AppError('ACCEPT_UNSUPPORTED', `Responses in ${accept} are currently unsupported.`);
}
