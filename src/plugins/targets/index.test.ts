import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetPlugins } from './index.js';

test('every target is declared once, with formats, valid parameter defaults and info', () => {
  const names = targetPlugins.flatMap((p) => p.targets.map((t) => t.name));
  assert.deepEqual([...names].sort(), ['OVA', 'azure', 'docker', 'ec2', 'gce', 'hyperv', 'openstack-kvm', 'ova', 'rhevm', 'virtualbox', 'vsphere']);
  for (const p of targetPlugins) {
    assert.equal(p.info.type, 'cloud');
    assert.deepEqual(p.info.targets, p.targets.map((t) => [t.name]));
    for (const t of p.targets) {
      assert.ok(t.formats.length > 0, t.name);
      for (const spec of t.parameters) {
        if (spec.values && spec.default !== undefined) assert.ok(spec.values.includes(String(spec.default)), `${t.name}.${spec.name}`);
      }
      // Defaults of enumerations pass the plugin's own check.
      const defaults = Object.fromEntries(t.parameters.filter((s) => s.default !== undefined).map((s) => [s.name, s.default]));
      assert.deepEqual(p.checkParameters?.(t.name, defaults) ?? [], [], t.name);
    }
  }
});
