import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../../../platform/exec.js';
import { makeTargetContext } from '../../../../test/helpers/target-context.js';
import type { Tdl } from '../../../domain/template/tdl.js';
import { dockerPlugin } from './docker-plugin.js';
import { excludedMembers } from './layer-tar.js';

let root: string;
let rootfsTar: string;
const template = { name: 'My Debian', os: { arch: 'x86_64' } } as unknown as Tdl;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'docker-target-'));
  const tree = join(root, 'tree');
  await mkdir(join(tree, 'etc/skel'), { recursive: true });
  await mkdir(join(tree, 'bin'), { recursive: true });
  await writeFile(join(tree, 'etc/fstab'), 'UUID=x / ext4 defaults 0 1\n');
  await writeFile(join(tree, 'etc/hostname'), 'box\n');
  await writeFile(join(tree, 'etc/skel/.bashrc'), '# rc\n');
  await writeFile(join(tree, 'bin/hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  rootfsTar = join(root, 'rootfs.tar');
  await runTool(['tar', '--numeric-owner', '-C', tree, '-cf', rootfsTar, '.']);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const base = () => ({ id: 'b1', diskPath: '/nonexistent', rootfsTarPath: rootfsTar, template });

async function layerMembers(archive: string): Promise<string[]> {
  const x = await mkdtemp(join(root, 'x-'));
  await runTool(['tar', '-xf', archive, '-C', x]);
  const { stdout } = await runTool(['tar', '-xOf', archive, 'manifest.json']);
  const manifest = JSON.parse(stdout) as { Layers: string[] }[];
  assert.equal(manifest[0].Layers.length, 1);
  const { stdout: list } = await runTool(['tar', '-tf', join(x, manifest[0].Layers[0])]);
  return list.trim().split('\n');
}

test('docker: loadable archive with manifest.json, repositories and legacy layout; OCI layout validates', async () => {
  const ctx = await makeTargetContext({
    root, target: 'docker', outputName: 'img.tar', base: base(),
    parameters: { tag: 'v1', docker_cmd: '["/bin/hello", "-x"]', docker_env: '["LANG=C.UTF-8"]', docker_label: '{"vendor":"factory"}', docker_set_arch_label: 'true' },
  });
  const result = await dockerPlugin.createTargetImage(ctx);
  assert.equal(result.format, 'docker');
  const { stdout: names } = await runTool(['tar', '-tf', ctx.outputPath]);
  const members = names.trim().split('\n');
  assert.ok(members.includes('manifest.json') && members.includes('repositories'));
  assert.ok(members.some((m) => /^[0-9a-f]{64}\/VERSION$/.test(m)) && members.some((m) => /^[0-9a-f]{64}\/json$/.test(m)));
  const { stdout: repos } = await runTool(['tar', '-xOf', ctx.outputPath, 'repositories']);
  assert.deepEqual(Object.values(JSON.parse(repos) as Record<string, Record<string, string>>).map((t) => Object.keys(t)), [['v1']]);
  assert.match(repos, /my-debian/);

  const { stdout: insp } = await runTool(['skopeo', 'inspect', '--config', `docker-archive:${ctx.outputPath}`]);
  const cfg = JSON.parse(insp) as { architecture: string; os: string; config: { Cmd: string[]; Env: string[]; Labels: Record<string, string> } };
  assert.equal(cfg.architecture, 'amd64');
  assert.equal(cfg.os, 'linux');
  assert.deepEqual(cfg.config.Cmd, ['/bin/hello', '-x']);
  assert.ok(cfg.config.Env.includes('LANG=C.UTF-8'));
  assert.deepEqual(cfg.config.Labels, { vendor: 'factory', architecture: 'x86_64' });

  const layer = await layerMembers(ctx.outputPath);
  assert.ok(layer.includes('./etc/hostname'));
  assert.ok(!layer.includes('./etc/fstab'), 'the default tar_excludes leaves out /etc/fstab');

  const oci = String(result.properties?.oci_layout_path);
  await runTool(['umoci', 'stat', '--image', `${oci}:v1`]);
  const { stdout: ociInsp } = await runTool(['skopeo', 'inspect', `oci:${oci}:v1`]);
  assert.equal((JSON.parse(ociInsp) as { Layers: string[] }).Layers.length, 1);
});

test('docker: xz compression and custom excludes; plain tar without metadata', async () => {
  const ctx = await makeTargetContext({
    root, target: 'docker', outputName: 'img2.tar.xz', base: base(),
    parameters: { compress: 'xz', tar_excludes: './etc/skel,/bin/hello', repository: 'factory/deb' },
  });
  await dockerPlugin.createTargetImage(ctx);
  await runTool(['xz', '-t', ctx.outputPath]);
  const plain = join(root, 'img2.tar');
  await runTool(['sh', '-c', 'xz -dc "$1" > "$2"', 'sh', ctx.outputPath, plain]);
  const layer = await layerMembers(plain);
  assert.ok(layer.includes('./etc/fstab'));
  assert.ok(!layer.some((m) => m.startsWith('./etc/skel') || m === './bin/hello'));

  const ctx2 = await makeTargetContext({
    root, target: 'docker', outputName: 'plain.tar.gz', base: base(), parameters: { create_docker_metadata: false, compress: 'gzip' },
  });
  const r2 = await dockerPlugin.createTargetImage(ctx2);
  assert.equal(r2.format, 'tar');
  const { stdout } = await runTool(['tar', '-tzf', ctx2.outputPath]);
  assert.ok(stdout.includes('./etc/hostname') && !stdout.includes('manifest.json') && !stdout.includes('./etc/fstab'));
  await assert.rejects(access(`${ctx2.outputPath}.oci`));
});

test('docker: parameter problems', () => {
  const check = (p: Record<string, unknown>) => dockerPlugin.checkParameters!('docker', p);
  assert.deepEqual(check({ compress: 'gzip', docker_cmd: '["/bin/sh"]', docker_label: { a: 'b' } }), []);
  assert.equal(check({ compress: 'zip' }).length, 1);
  assert.equal(check({ docker_cmd: '/bin/sh' }).length, 1);
  assert.equal(check({ docker_env: '["NOEQUALS"]' }).length, 1);
  assert.equal(check({ repository: 'Bad Repo!' }).length, 1);
  assert.equal(check({ tar_options: '--xattrs' }).length, 1);
});

test('excludedMembers matches exact paths and directory contents, with or without ./', () => {
  assert.deepEqual(
    excludedMembers(['./', './etc/', './etc/fstab', './etc/fstab.d/x', './var/cache/', './var/cache/a'], ['/etc/fstab', 'var/cache']),
    ['./etc/fstab', './var/cache/', './var/cache/a'],
  );
});
