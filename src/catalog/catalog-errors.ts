/**
 * Catalog failures in wire-neutral terms; each API renders them in its own format. A separate class
 * from AppError because the catalog needs kinds the factory does not have (forbidden, quota, a
 * validation with per-field messages).
 */
export type CatalogErrorKind = 'not-found' | 'invalid' | 'forbidden' | 'quota' | 'validation' | 'conflict';

export class CatalogError extends Error {
  constructor(
    readonly kind: CatalogErrorKind,
    message: string,
    /** For `validation`: attribute → messages (Foreman's 422 `errors`). */
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}

export function isCatalogError(e: unknown): e is CatalogError {
  return e instanceof CatalogError;
}
