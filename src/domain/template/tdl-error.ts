import { AppError } from '../errors.js';

/**
 * Where a TDL was rejected:
 * - `syntax`: the text is not well-formed XML (or uses a forbidden construct such as a DOCTYPE);
 * - `schema`: well-formed, but not valid against the TDL RelaxNG schema (oz/tdl.rng);
 * - `semantic`: schema-valid, but breaks a rule Oz enforces in TDL.py (command positions, localhost
 *   repositories, disk size units, iso-only extras, required root password, ...).
 */
export type TdlErrorKind = 'syntax' | 'schema' | 'semantic';

const PREFIX: Record<TdlErrorKind, string> = {
  syntax: 'XML syntax error: ',
  schema: 'XML schema validation failed: ',
  semantic: '',
};

/**
 * An invalid TDL template. The message always carries the line number, e.g.
 * `XML schema validation failed: line 7: element "intall" not allowed here`.
 * It is an AppError with code TEMPLATE_INVALID (category invalid-input), so API layers answer 400.
 */
export class TdlError extends AppError {
  readonly kind: TdlErrorKind;
  /** 1-based line of the offending construct. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of the offending construct. */
  readonly column: number;
  /** The message without the prefix and the line number. */
  readonly reason: string;

  constructor(kind: TdlErrorKind, reason: string, line: number, column: number) {
    super('TEMPLATE_INVALID', `${PREFIX[kind]}line ${line}: ${reason}`, {
      details: { kind, line, column, reason },
    });
    this.name = 'TdlError';
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

export function isTdlError(e: unknown): e is TdlError {
  return e instanceof TdlError;
}
