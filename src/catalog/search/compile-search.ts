import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { SearchNode } from './parser.js';
import type { SearchField, SearchFields } from './search-fields.js';

type Condition = RawBuilder<SqlBool>;

const SQL_OP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '<>': '<>', '>': '>', '<': '<', '>=': '>=', '<=': '<=' };

/**
 * Turns a search AST into one SQL condition (scoped_search query_builder.rb). Values are always bound
 * parameters; columns come only from the field table, so the query text never carries user input.
 */
export function compileSearch(node: SearchNode, fields: SearchFields): Condition {
  switch (node.type) {
    case 'and': case 'or':
      return sql<SqlBool>`(${sql.join(node.items.map((n) => compileSearch(n, fields)), sql.raw(` ${node.type.toUpperCase()} `))})`;
    case 'not': return sql<SqlBool>`NOT (${compileSearch(node.item, fields)})`;
    case 'compare': return compare(field(fields, node.field), node.field, node.op, node.value);
    case 'in': {
      const f = field(fields, node.field);
      const values = node.values.map((v) => typed(f, node.field, v));
      return sql<SqlBool>`${sql.ref(f.column)} ${sql.raw(node.negate ? 'NOT IN' : 'IN')} (${sql.join(values)})`;
    }
    case 'set': case 'null': {
      const f = field(fields, node.field);
      return node.type === 'set' ? sql<SqlBool>`${sql.ref(f.column)} IS NOT NULL` : sql<SqlBool>`${sql.ref(f.column)} IS NULL`;
    }
    case 'bare': return bare(node.value, fields);
  }
}

/** A bare word: LIKE over the default text fields (ORed); a set field's name alone means "= true". */
function bare(value: string, fields: SearchFields): Condition {
  const f = Object.hasOwn(fields, value.toLowerCase()) ? fields[value.toLowerCase()] : undefined;
  if (f?.type === 'set') return sql<SqlBool>`${sql.ref(f.column)} = 1`;
  const defaults = Object.values(fields).filter((d) => d.inDefault);
  if (defaults.length === 0) return sql<SqlBool>`0 = 1`;
  const pattern = likePattern(value);
  return sql<SqlBool>`(${sql.join(defaults.map((d) => sql`lower(${sql.ref(d.column)}) LIKE lower(${pattern}) ESCAPE '\\'`), sql.raw(' OR '))})`;
}

function compare(f: SearchField, name: string, op: string, value: string): Condition {
  if (op === '~' || op === '!~') {
    if (f.type !== 'string') throw new AppError('CATALOG_QUERY_INVALID', `the operator 'like' is not supported for field type '${f.type === 'set' ? 'set' : 'integer'}'`);
    // lower() on both sides: case-insensitive on PostgreSQL too, as SQLite's LIKE is (and Foreman's ILIKE).
    return sql<SqlBool>`lower(${sql.ref(f.column)}) ${sql.raw(op === '~' ? 'LIKE' : 'NOT LIKE')} lower(${likePattern(value)}) ESCAPE '\\'`;
  }
  if (f.type === 'set' && !['=', '==', '!=', '<>'].includes(op)) {
    throw new AppError('CATALOG_QUERY_INVALID', `the operator '${op}' is not supported for field type 'set'`);
  }
  return sql<SqlBool>`${sql.ref(f.column)} ${sql.raw(SQL_OP[op])} ${typed(f, name, value)}`;
}

function typed(f: SearchField, name: string, value: string): string | number {
  if (f.type === 'integer') {
    if (!/^-?\d+$/.test(value.trim())) throw new AppError('CATALOG_QUERY_INVALID', `Value '${value}' is not valid for field '${name}'`);
    return Number(value);
  }
  if (f.type === 'set') {
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') throw new AppError('CATALOG_QUERY_INVALID', `'${name}' should be one of 'true, false', but the query was '${value}'`);
    return v === 'true' ? 1 : 0;
  }
  return value;
}

function field(fields: SearchFields, name: string): SearchField {
  const f = Object.hasOwn(fields, name.toLowerCase()) ? fields[name.toLowerCase()] : undefined;
  if (!f) throw new AppError('CATALOG_QUERY_INVALID', `Field '${name}' not recognized for searching!`);
  return f;
}

/** `%value%` unless the user gave wildcards (`*` means `%`); LIKE's own specials are escaped otherwise. */
function likePattern(value: string): string {
  if (/[%*]/.test(value)) return value.replace(/\*/g, '%');
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `order=<field> [ASC|DESC]`: only search fields; anything but `desc` is ascending. */
export function compileOrder(order: string | undefined, fields: SearchFields, fallback: string): { column: string; desc: boolean; by: string | null; direction: string | null } {
  const words = (order ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { column: fallback, desc: false, by: null, direction: null };
  const f = Object.hasOwn(fields, words[0].toLowerCase()) ? fields[words[0].toLowerCase()] : undefined;
  if (!f) throw new AppError('CATALOG_QUERY_INVALID', `the field '${words[0]}' in the order statement is not valid field for search`);
  const direction = words[1] ?? 'ASC';
  return { column: f.column, desc: direction.toLowerCase() === 'desc', by: words[0], direction };
}
