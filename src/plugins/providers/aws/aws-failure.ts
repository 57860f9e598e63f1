import type { AppError } from '../../../domain/errors.js';
import { providerFailure } from '../shared/provider-failure.js';

/**
 * A failed AWS call as the image's error: the service's own error code and message (secrets
 * scrubbed). An endpoint that answers something other than an AWS response (an HTML error page, a
 * stand-in that lacks the operation) is reported with that page's text, not the SDK's
 * "XML parse error".
 */
export function awsFailure(what: string, e: unknown, secrets: readonly string[]): AppError {
  const err = e as { message?: string; $responseBodyText?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (err && typeof err.$responseBodyText === 'string' && /deserializ|parse error/i.test(err.message ?? '')) {
    const text = err.$responseBodyText.replace(/<title>[^<]*<\/title>/i, (t) => `${t} `).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 400);
    const wrapped = Object.assign(new Error(`the endpoint did not answer with an AWS response: ${text || '(empty body)'}`), { $metadata: err.$metadata });
    return providerFailure(what, wrapped, secrets);
  }
  return providerFailure(what, e, secrets);
}
