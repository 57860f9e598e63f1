import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';

const nested = (n: number) => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) as unknown;

test('jsonTooDeep counts object and array levels without recursion', () => {
  assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH)), false);
  assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
  assert.equal(jsonTooDeep(nested(200_000)), true);
  assert.equal(jsonTooDeep(JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`)), true);
  assert.equal(jsonTooDeep('text'), false);
  assert.equal(jsonTooDeep({ a: [1, { b: 2 }] }), false);
});
