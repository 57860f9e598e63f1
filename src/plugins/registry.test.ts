import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tdl } from '../domain/template/tdl.js';
import { PluginRegistry } from './registry.js';
import type { OsPlugin, TargetPlugin } from './sdk/index.js';

const info = (type: 'os' | 'cloud', targets: (string | null)[][]) => ({
  type, targets, description: 'd', maintainer: { name: 'n', email: 'e', url: 'u' }, version: '1', license: 'l',
});
const os = (id: string, targets: (string | null)[][], tools: string[] = []): OsPlugin => ({
  id, info: info('os', targets), requiredTools: tools.map((command) => ({ command, debianPackage: `pkg-${command}` })),
  check: () => [], createBaseImage: async () => ({ packages: [], properties: {} }),
});
const cloud = (id: string, target: string): TargetPlugin => ({
  id, info: info('cloud', [[target]]), requiredTools: [],
  targets: [{ name: target, description: '', formats: ['raw'], parameters: [], providers: [] }],
  createTargetImage: async () => ({ format: 'raw' }),
});
const tdl = (name: string, version: string, arch = 'x86_64') => ({ os: { name, version, arch } }) as unknown as Tdl;

test('OS plugins match [name, version, arch] with trailing wildcards, most specific first', async () => {
  const registry = await PluginRegistry.load([
    os('Generic', [['Fedora', null, null]]),
    os('Specific', [['Fedora', '40', 'x86_64']]),
  ], [], async () => true);
  assert.equal(registry.osPluginFor(tdl('Fedora', '40'))?.id, 'Specific');
  assert.equal(registry.osPluginFor(tdl('Fedora', '39'))?.id, 'Generic');
  assert.equal(registry.osPluginFor(tdl('fedora', '39'))?.id, 'Generic');
  assert.equal(registry.osPluginFor(tdl('Gentoo', '1')), undefined);
});

test('a plugin whose tools are missing stays listed with an error naming what to install', async () => {
  const registry = await PluginRegistry.load([os('Debian', [['Debian', null, null]], ['mmdebstrap', 'tar'])], [cloud('EC2', 'ec2')], async (c) => c !== 'mmdebstrap');
  const entry = registry.entries().find((e) => e.id === 'Debian')!;
  assert.equal(entry.error, 'Plugin Debian cannot run: missing mmdebstrap (Debian package pkg-mmdebstrap)');
  assert.equal(registry.entries().find((e) => e.id === 'EC2')!.error, undefined);
});

test('the first plugin registering a target wins; duplicate ids and mismatched kinds are refused', async () => {
  const registry = await PluginRegistry.load([], [cloud('A', 'ec2'), cloud('B', 'ec2')], async () => true);
  assert.equal(registry.targetPluginFor('ec2')?.id, 'A');
  assert.deepEqual(registry.targets().map((t) => t.plugin.id), ['A']);
  await assert.rejects(PluginRegistry.load([], [cloud('A', 'x'), cloud('A', 'y')], async () => true), /registered twice/);
  await assert.rejects(PluginRegistry.load([{ ...os('X', []), info: info('cloud', []) }], [], async () => true), /info.type/);
});
