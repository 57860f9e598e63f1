import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetPlugins } from '../targets/index.js';
import { providerPlugins } from './index.js';

test('every provider plugin has a unique id, documented fields and only targets that exist', () => {
  const targets = new Set(targetPlugins.flatMap((p) => p.targets.map((t) => t.name)));
  const ids = providerPlugins.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`);
  for (const p of providerPlugins) {
    assert.match(p.id, /^[a-z0-9-]+$/, p.id);
    assert.ok(p.description, p.id);
    assert.ok(p.providerFields.every((f) => f.name && f.description), p.id);
    assert.ok(p.credentialFields.every((f) => f.name && f.description), p.id);
    if (p.targets !== '*') for (const t of p.targets) assert.ok(targets.has(t), `${p.id} names unknown target ${t}`);
  }
});
