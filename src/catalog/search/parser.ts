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

const COMPARISON = new Set(['=', '==', '!=', '<>', '~', '!~', '>', '<', '>=', '<=']);

/**
 * Recursive descent: or-expr := and-expr ('or' and-expr)*; and-expr := unary ((',' | 'and' | nothing) unary)*;
 * unary := 'not' unary | '(' or-expr ')' | 'set?' field | 'null?' field | field op value | field ^ (list) | value.
 * Returns null for a blank query.
 */
export function parseSearch(query: string): SearchNode | null {
  const tokens = tokenize(query);
  if (tokens.length === 0) return null;
  const p = new Parser(tokens);
  const node = p.orExpr();
  if (!p.done()) throw new AppError('CATALOG_QUERY_INVALID', `Unexpected token in search query: ${describe(p.peek()!)}`);
  return node;
}

class Parser {
  private i = 0;
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
    switch (t.kind) {
      case 'not': return { type: 'not', item: this.unary() };
      case 'lparen': {
        const inner = this.orExpr();
        if (this.next()?.kind !== 'rparen') throw new AppError('CATALOG_QUERY_INVALID', 'Unbalanced parentheses in search query');
        return inner;
      }
      case 'set': case 'null': return { type: t.kind, field: this.fieldName() };
      case 'word': return this.afterWord(t.text);
      default: throw new AppError('CATALOG_QUERY_INVALID', `Unexpected token in search query: ${describe(t)}`);
    }
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
