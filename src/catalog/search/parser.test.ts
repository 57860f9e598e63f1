import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../domain/errors.js';
import { MAX_SEARCH_DEPTH, MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS, parseSearch } from './parser.js';

const refused = (query: string, message: RegExp) => assert.throws(() => parseSearch(query), (e) => isAppError(e) && e.code === 'CATALOG_QUERY_INVALID' && message.test(e.message));

describe('search parser limits', () => {
  it('nesting up to the limit parses', () => {
    const n = MAX_SEARCH_DEPTH;
    assert.deepEqual(parseSearch(`${'('.repeat(n)}name = x${')'.repeat(n)}`), { type: 'compare', field: 'name', op: '=', value: 'x' });
    assert.equal(parseSearch(`${'not '.repeat(n)}name = x`)?.type, 'not');
  });
  it('thousands of parentheses or nots are a clear error, not a stack overflow', () => {
    refused(`${'('.repeat(2000)}name = x${')'.repeat(2000)}`, /more than 32 levels deep/);
    refused(`${'not '.repeat(1000)}name = x`, /more than 32 levels deep/);
    refused(`${'('.repeat(MAX_SEARCH_DEPTH + 1)}x${')'.repeat(MAX_SEARCH_DEPTH + 1)}`, /levels deep/);
  });
  it('too long or too many conditions', () => {
    refused('x'.repeat(MAX_SEARCH_LENGTH + 1), /too long/);
    refused(Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `name = n${i}`).join(' or '), /more than 100 conditions/);
    assert.equal(parseSearch(Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => `name = n${i}`).join(' or '))?.type, 'or');
  });
});

describe('words named after Object.prototype members', () => {
  it('are plain search words, not keywords', () => {
    assert.deepEqual(parseSearch('constructor'), { type: 'bare', value: 'constructor' });
    assert.deepEqual(parseSearch('name = toString'), { type: 'compare', field: 'name', op: '=', value: 'toString' });
  });
});
