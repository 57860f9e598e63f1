import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tdl } from '../domain/template/tdl.js';
import { PluginRegistry } from './registry.js';
import type { OsPlugin, ProviderPlugin, TargetPlugin } from './sdk/index.js';

const info = (type: 'os' | 'cloud', targets: (string | null)[][]) => ({
  type, targets, description: 'd', maintainer: { name: 'n', email: 'e', url: 'u' }, version: '1', license: 'l',
});
const os = (id: string, targets: (string | null)[][], tools: string[] = []): OsPlugin => ({
  id, info: info('os', targets), requiredTools: tools.map((command) => ({ command, debianPackage: `pkg-${command}` })),
  check: () => [], createBaseImage: async () => ({ packages: [], properties: {} }),
});
const cloud = (id: string, target: string): TargetPlugin => ({
  id, info: info('cloud', [[target]]), requiredTools: [],
  targets: [{ name: target, description: '', formats: ['raw'], parameters: [] }],
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

test('a push goes to the provider its document names, a scheme it claims, else the target default', async () => {
  const provider = (id: string, targets: readonly string[] | '*', claims?: (v: string) => boolean): ProviderPlugin => ({
    id, description: id, targets, requiredTools: id === 'needs-tool' ? [{ command: 'absent', debianPackage: 'pkg-absent' }] : [],
    providerFields: [], credentialFields: [], claims, check: () => [],
    push: async () => ({ identifierOnProvider: id, providerAccountIdentifier: null }), delete: async () => undefined,
  });
  const registry = await PluginRegistry.load([], [cloud('EC2', 'ec2'), cloud('Vs', 'vsphere')], async (c) => c !== 'absent', [
    provider('ec2', ['ec2']), provider('libvirt', ['ec2'], (v) => v.startsWith('qemu')), provider('needs-tool', ['ec2']),
    provider('s3', '*', (v) => v.startsWith('s3://')),
  ]);
  assert.deepEqual(registry.providersFor('ec2').map((p) => p.id), ['ec2', 'libvirt', 'needs-tool', 's3']);
  assert.deepEqual(registry.providersFor('vsphere').map((p) => p.id), ['s3']);
  assert.equal(registry.providerFor('ec2', 'ec2-us-east-1').plugin?.id, 'ec2');
  assert.equal(registry.providerFor('ec2', { type: 'libvirt', pool: 'default' }).plugin?.id, 'libvirt');
  assert.equal(registry.providerFor('ec2', '{"type": "S3", "bucket": "b"}').plugin?.id, 's3');
  assert.equal(registry.providerFor('ec2', '<provider type="libvirt" pool="default"/>').plugin?.id, 'libvirt');
  assert.equal(registry.providerFor('ec2', 'qemu:///system').plugin?.id, 'libvirt');
  assert.equal(registry.providerFor('vsphere', 's3://bucket/key').plugin?.id, 's3');
  assert.match(registry.providerFor('vsphere', 'vcenter').problem ?? '', /name the provider's type.*s3/);
  assert.match(registry.providerFor('ec2', { type: 'gce' }).problem ?? '', /provider type "gce" does not take ec2 images; providers for ec2: ec2, libvirt, needs-tool, s3/);
  assert.match(registry.providerFor('ec2', { type: 'needs-tool' }).problem ?? '', /missing absent \(Debian package pkg-absent\)/);
  assert.match(registry.providerFor('nothing', 'x').problem ?? '', /s3|cannot push/);
});
