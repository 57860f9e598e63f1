import { AppError } from '../../domain/errors.js';

/** Tokens of scoped_search's query language (lib/scoped_search/query_language/tokenizer.rb). */
export type Token =
  | { kind: 'word'; text: string; quoted: boolean }
  | { kind: 'op'; text: string }
  | { kind: 'lparen' } | { kind: 'rparen' } | { kind: 'comma' }
  | { kind: 'and' } | { kind: 'or' } | { kind: 'not' }
  | { kind: 'set' } | { kind: 'null' };

/** Longest first, so `!=` is not read as `!` then `=`. */
const OPERATORS = ['&&', '||', '!=', '<>', '==', '>=', '<=', '!~', '!^', '=', '~', '>', '<', '^', '&', '|', '!'];
const WORD_END = /[\s=~<>&|(),!^]/;
const KEYWORDS: Record<string, Token> = {
  and: { kind: 'and' }, or: { kind: 'or' }, not: { kind: 'not' },
  'set?': { kind: 'set' }, 'has': { kind: 'set' }, 'null?': { kind: 'null' },
};

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(') { tokens.push({ kind: 'lparen' }); i++; continue; }
    if (c === ')') { tokens.push({ kind: 'rparen' }); i++; continue; }
    if (c === ',') { tokens.push({ kind: 'comma' }); i++; continue; }
    if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < query.length && query[i] !== c) {
        if (query[i] === '\\' && i + 1 < query.length) i++;
        text += query[i++];
      }
      if (i >= query.length) throw new AppError('CATALOG_QUERY_INVALID', 'Unclosed quoted string in the search query');
      i++;
      tokens.push({ kind: 'word', text, quoted: true });
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, i));
    if (op) {
      i += op.length;
      if (op === '&' || op === '&&') tokens.push({ kind: 'and' });
      else if (op === '|' || op === '||') tokens.push({ kind: 'or' });
      else if (op === '!' && !startsValue(tokens)) tokens.push({ kind: 'not' });
      else tokens.push({ kind: 'op', text: op });
      continue;
    }
    let j = i;
    while (j < query.length && !WORD_END.test(query[j])) j++;
    const text = query.slice(i, j);
    i = j;
    // A leading '-' negates the term that follows (scoped_search's prefix NOT).
    if (text.startsWith('-') && text.length > 1 && !startsValue(tokens)) {
      tokens.push({ kind: 'not' }, word(text.slice(1)));
    } else {
      tokens.push(word(text));
    }
  }
  return tokens;
}

function word(text: string): Token {
  const keyword = text.toLowerCase();
  return (Object.hasOwn(KEYWORDS, keyword) ? KEYWORDS[keyword] : undefined) ?? { kind: 'word', text, quoted: false };
}

/** After a comparison operator, `!`/`-` belong to the value, not a NOT. */
function startsValue(tokens: Token[]): boolean {
  return tokens.length > 0 && tokens[tokens.length - 1].kind === 'op';
}
