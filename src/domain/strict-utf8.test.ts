import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strictUtf8 } from './strict-utf8.js';

test('strictUtf8 keeps valid UTF-8 and refuses overlong forms, surrogates and stray bytes', () => {
  assert.equal(strictUtf8(Buffer.from('{"k":"ü€😀"}')), '{"k":"ü€😀"}');
  for (const bad of [[0xff, 0xfe], [0xc0, 0xae], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) assert.equal(strictUtf8(Buffer.from(bad)), null, String(bad));
});
