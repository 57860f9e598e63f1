import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtinPlugins } from '../src/main/builtin-plugins.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Relative imports of every product source file, as paths under src/. */
async function importGraph(): Promise<{ from: string; to: string }[]> {
  const edges: { from: string; to: string }[] = [];
  for (const file of await sourceFiles(join(ROOT, 'src'))) {
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      edges.push({ from: relative(ROOT, file), to: relative(ROOT, resolve(dirname(file), m[1])) });
    }
  }
  return edges;
}

const RULES: { from: RegExp; forbidden: RegExp; why: string }[] = [
  { from: /^src\//, forbidden: /^test\//, why: 'the product never loads test code (doubles live under test/)' },
  { from: /^src\/domain\//, forbidden: /^src\/(?!domain\/)/, why: 'domain imports nothing internal' },
  { from: /^src\/plugins\/(?!registry)/, forbidden: /^src\/(core|store|api|cli|main|catalog)\//, why: 'plugins import only the SDK, domain and platform' },
  { from: /^src\/core\//, forbidden: /^src\/(store|api|cli|main|platform|catalog)\/|^src\/plugins\/(?!sdk\/)/, why: 'core depends on ports and plugin contracts only' },
  { from: /^src\/store\//, forbidden: /^src\/(api|cli|main|plugins)\//, why: 'stores implement core ports' },
  { from: /^src\/api\//, forbidden: /^src\/(store|main|cli)\//, why: 'the API calls core use-cases' },
  { from: /^src\/catalog\//, forbidden: /^src\/(api|cli|main|plugins)\//, why: 'the catalog model knows nothing of the APIs that serve it' },
];

test('dependency directions of the architecture hold', async () => {
  const violations: string[] = [];
  for (const { from, to } of await importGraph()) {
    for (const rule of RULES) if (rule.from.test(from) && rule.forbidden.test(to)) violations.push(`${from} → ${to}: ${rule.why}`);
  }
  assert.deepEqual(violations, []);
});

test('the production plugin list holds no test doubles (D48)', () => {
  const { os, cloud } = builtinPlugins();
  const ids = [...os, ...cloud].map((p) => p.id);
  assert.ok(ids.length >= 2);
  for (const id of ids) assert.doesNotMatch(id, /mock/i);
  const targets = cloud.flatMap((p) => p.targets.map((t) => t.name));
  for (const t of ['ec2', 'openstack-kvm', 'vsphere', 'rhevm', 'azure', 'gce', 'hyperv', 'virtualbox', 'docker', 'ova']) {
    assert.ok(targets.includes(t), `target ${t} is registered`);
  }
});
