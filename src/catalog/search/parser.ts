import { AppError } from '../../domain/errors.js';
import { tokenize, type Token } from './tokenizer.js';

/** The search AST (scoped_search query_language/ast.rb, reduced to what the query builder needs). */
export type SearchNode =
  | { type: 'and' | 'or'; items: SearchNode[] }
  | { type: 'not'; item: SearchNode }
  | { type: 'compare'; field: string; op: string; value: string }
  | { type: 'in'; field: string; negate: boolean; values: string[] }
  | { type: 'bare'; value: string }
  | { type: 'set' | 'null'; field: string };

/** Longest query accepted; real scoped_search queries are a few dozen characters. */
export const MAX_SEARCH_LENGTH = 4096;
/**
 * Deepest nesting of parentheses and `not`s accepted. The parser (and the SQL compiler after it)
 * recurse once per level, so thousands of levels would overflow the stack.
 */
export const MAX_SEARCH_DEPTH = 32;
/** Most conditions in one query: SQLite refuses expression trees deeper than 1000 (SQLITE_MAX_EXPR_DEPTH). */
export const MAX_SEARCH_TERMS = 100;

const COMPARISON = new Set(['=', '==', '!=', '<>', '~', '!~', '>', '<', '>=', '<=']);

/**
 * Recursive descent: or-expr := and-expr ('or' and-expr)*; and-expr := unary ((',' | 'and' | nothing) unary)*;
 * unary := 'not' unary | '(' or-expr ')' | 'set?' field | 'null?' field | field op value | field ^ (list) | value.
 * Returns null for a blank query.
 */
export function parseSearch(query: string): SearchNode | null {
  if (query.length > MAX_SEARCH_LENGTH) throw new AppError('CATALOG_QUERY_INVALID', `The search query is too long: at most ${MAX_SEARCH_LENGTH} characters`);
  const tokens = tokenize(query);
  if (tokens.length === 0) return null;
  const p = new Parser(tokens);
  const node = p.orExpr();
  if (!p.done()) throw new AppError('CATALOG_QUERY_INVALID', `Unexpected token in search query: ${describe(p.peek()!)}`);
  return node;
}

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean { return this.i >= this.tokens.length; }
  peek(): Token | undefined { return this.tokens[this.i]; }
  private next(): Token | undefined { return this.tokens[this.i++]; }

  orExpr(): SearchNode {
    const items = [this.andExpr()];
    while (this.peek()?.kind === 'or') { this.i++; items.push(this.andExpr()); }
    return items.length === 1 ? items[0] : { type: 'or', items };
  }

  private andExpr(): SearchNode {
    const items = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === 'or' || t.kind === 'rparen') break;
      if (t.kind === 'comma' || t.kind === 'and') this.i++;
      items.push(this.unary());
    }
    return items.length === 1 ? items[0] : { type: 'and', items };
  }

  private unary(): SearchNode {
    const t = this.next();
    if (!t) throw new AppError('CATALOG_QUERY_INVALID', 'Unexpected end of search query');
    if (++this.terms > MAX_SEARCH_TERMS) throw new AppError('CATALOG_QUERY_INVALID', `The search query has more than ${MAX_SEARCH_TERMS} conditions`);
    switch (t.kind) {
      case 'not': return this.nested(() => ({ type: 'not', item: this.unary() }));
      case 'lparen': return this.nested(() => {
        const inner = this.orExpr();
        if (this.next()?.kind !== 'rparen') throw new AppError('CATALOG_QUERY_INVALID', 'Unbalanced parentheses in search query');
        return inner;
      });
      case 'set': case 'null': return { type: t.kind, field: this.fieldName() };
      case 'word': return this.afterWord(t.text);
      default: throw new AppError('CATALOG_QUERY_INVALID', `Unexpected token in search query: ${describe(t)}`);
    }
  }

  private nested(parse: () => SearchNode): SearchNode {
    if (++this.depth > MAX_SEARCH_DEPTH) {
      throw new AppError('CATALOG_QUERY_INVALID', `The search query nests parentheses and 'not' more than ${MAX_SEARCH_DEPTH} levels deep`);
    }
    try { return parse(); } finally { this.depth--; }
  }

  private afterWord(word: string): SearchNode {
    const t = this.peek();
    if (t?.kind === 'op' && COMPARISON.has(t.text)) {
      this.i++;
      return { type: 'compare', field: word, op: t.text, value: this.value() };
    }
    if (t?.kind === 'op' && (t.text === '^' || t.text === '!^')) {
      this.i++;
      return { type: 'in', field: word, negate: t.text === '!^', values: this.list() };
    }
    return { type: 'bare', value: word };
  }

  private value(): string {
    const t = this.next();
    if (t?.kind !== 'word') throw new AppError('CATALOG_QUERY_INVALID', 'Value expected in search query');
    return t.text;
  }

  private list(): string[] {
    if (this.next()?.kind !== 'lparen') throw new AppError('CATALOG_QUERY_INVALID', 'A list in parentheses is expected after ^');
    const values: string[] = [];
    for (;;) {
      values.push(this.value());
      const t = this.next();
      if (t?.kind === 'rparen') return values;
      if (t?.kind !== 'comma') throw new AppError('CATALOG_QUERY_INVALID', 'Unbalanced parentheses in search query');
    }
  }

  private fieldName(): string {
    const t = this.next();
    if (t?.kind !== 'word') throw new AppError('CATALOG_QUERY_INVALID', 'Field name expected in search query');
    return t.text;
  }
}

function describe(t: Token): string {
  return t.kind === 'word' || t.kind === 'op' ? t.text : t.kind;
}
