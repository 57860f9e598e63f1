/**
 * One error type for the whole product and all four APIs; each API surface renders every code in its
 * own wire format from one table (code → status and body), and a test fails when a code has no row.
 * `details.fields` (attribute → messages) goes with CATALOG_VALIDATION_FAILED (Foreman's 422 `errors`).
 */

export type ErrorCategory =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'quota'
  | 'unsupported'
  | 'not-acceptable'
  | 'too-large'
  | 'dependency-failed'
  | 'transient'
  | 'cancelled'
  | 'internal';

export const ERROR_CATALOG = {
  REQUEST_INVALID: { category: 'invalid-input', message: 'The request is invalid.' },
  REQUEST_TOO_LARGE: { category: 'too-large', message: 'The request body is too large.' },
  ACCEPT_UNSUPPORTED: { category: 'not-acceptable', message: 'The requested response type is not supported.' },
  MEDIA_TYPE_UNSUPPORTED: { category: 'unsupported', message: 'Unsupported Content-Type.' },
  TEMPLATE_INVALID: { category: 'invalid-input', message: 'The template is not a valid TDL document.' },
  TARGET_UNKNOWN: { category: 'invalid-input', message: 'Unknown target.' },
  OS_UNSUPPORTED: { category: 'invalid-input', message: 'No OS plugin supports this template.' },
  IMAGE_NOT_FOUND: { category: 'not-found', message: 'Image not found.' },
  IMAGE_IN_USE: { category: 'conflict', message: 'Other images were built from this image.' },
  PLUGIN_NOT_FOUND: { category: 'not-found', message: 'Plugin not found.' },
  TARGET_NOT_FOUND: { category: 'not-found', message: 'Target not found.' },
  PROVIDER_NOT_FOUND: { category: 'not-found', message: 'Provider not found.' },
  CATALOG_NOT_FOUND: { category: 'not-found', message: 'Resource not found.' },
  CATALOG_QUERY_INVALID: { category: 'invalid-input', message: 'The search query is invalid.' },
  CATALOG_VALIDATION_FAILED: { category: 'invalid-input', message: 'Validation failed.' },
  CATALOG_FORBIDDEN: { category: 'forbidden', message: 'Forbidden.' },
  CATALOG_QUOTA_EXCEEDED: { category: 'quota', message: 'Quota exceeded.' },
  AUTH_FAILED: { category: 'unauthorized', message: 'Unauthorized: authorization failed' },
  TOOL_MISSING: { category: 'dependency-failed', message: 'A required system tool is missing.' },
  TOOL_FAILED: { category: 'dependency-failed', message: 'A build tool failed.' },
  BUILD_FAILED: { category: 'dependency-failed', message: 'The build failed.' },
  JOB_DEPENDENCY_FAILED: { category: 'dependency-failed', message: 'A build this one depends on failed.' },
  PROVIDER_FAILED: { category: 'dependency-failed', message: 'The provider rejected the request.' },
  BUILD_CANCELLED: { category: 'cancelled', message: 'The build was cancelled.' },
  CONFIG_INVALID: { category: 'invalid-input', message: 'The configuration is invalid.' },
  JOB_LEASE_LOST: { category: 'conflict', message: 'The job is no longer held by this worker (its lease expired, or it was cancelled).' },
  STORE_UNAVAILABLE: { category: 'transient', message: 'The database or the artifact store is unreachable.' },
  INTERNAL: { category: 'internal', message: 'Internal error.' },
} as const satisfies Record<string, { category: ErrorCategory; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message ?? ERROR_CATALOG[code].message, { cause: options?.cause });
    this.name = 'AppError';
    this.code = code;
    this.category = ERROR_CATALOG[code].category;
    this.details = options?.details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
