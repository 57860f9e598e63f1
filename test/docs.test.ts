import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CONFIG_SCHEMA } from '../src/config/schema.js';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

test('the README documents every configuration key (regenerate with scripts/config-table.ts)', () => {
  const missing = Object.keys(CONFIG_SCHEMA).filter((k) => !readme.includes(`| \`${k}\` |`));
  assert.deepEqual(missing, []);
});

test('the README documents every CLI command and the benchmark commands', () => {
  for (const cmd of ['base_image', 'target_image', 'provider_image', 'import_base_image', 'images', 'delete', 'plugins', 'targets', 'log', 'download']) {
    assert.match(readme, new RegExp(`imagefactory [^\\n]*\\b${cmd}\\b`), cmd);
  }
  for (const cmd of ['npm start', 'npm test', 'npm run bench', 'npm run bench:pipeline', 'npm run bench:catalog', 'npm run bench:push-glance', 'npm run bench:push-registry']) assert.ok(readme.includes(cmd), cmd);
});
