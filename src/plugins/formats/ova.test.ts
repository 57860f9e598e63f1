import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createExec, runTool } from '../../platform/exec.js';
import { packOva } from './ova.js';
import { writeTarPackage } from './tar-package.js';

const exec = createExec({ onLine: () => {} });
let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'ova-test-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('OVA: ustar, descriptor first, manifest second, manifest hashes match every member', async () => {
  const disk = join(dir, 'disk1.bin');
  const diskBytes = randomBytes(300_000);
  await writeFile(disk, diskBytes);
  const xml = '<?xml version="1.0"?><Envelope/>\n';
  const out = join(dir, 'a.ova');
  const { manifest } = await packOva({
    output: out, descriptor: { name: 'desc.ovf', xml }, files: [{ name: 'disk1.vmdk', path: disk }], exec, log: () => {},
  });
  const { stdout } = await runTool(['tar', '-tf', out]);
  assert.deepEqual(stdout.trim().split('\n'), ['desc.ovf', 'desc.mf', 'disk1.vmdk']);
  const raw = await readFile(out);
  assert.equal(raw.subarray(257, 263).toString('latin1'), 'ustar\0', 'POSIX ustar magic');
  const x = join(dir, 'x');
  await mkdir(x);
  await runTool(['tar', '-xf', out, '-C', x]);
  const mf = await readFile(join(x, 'desc.mf'), 'utf8');
  assert.equal(mf, manifest);
  assert.deepEqual(mf.trim().split('\n'), [
    `SHA256(desc.ovf)= ${sha256(xml)}`,
    `SHA256(disk1.vmdk)= ${sha256(diskBytes)}`,
  ]);
  assert.deepEqual(await readFile(join(x, 'disk1.vmdk')), diskBytes);
});

test('tar package: nested names, gzip, exact order; unsafe names are refused', async () => {
  const f = join(dir, 'f.bin');
  await writeFile(f, 'data');
  const out = join(dir, 'box.tar.gz');
  await writeTarPackage({
    output: out, gzip: true, exec, log: () => {},
    entries: [{ name: 'metadata.json', content: '{}' }, { name: 'Virtual Hard Disks/disk.vhd', path: f }, { name: 'Vagrantfile', content: 'x' }],
  });
  const { stdout } = await runTool(['tar', '-tzf', out]);
  assert.deepEqual(stdout.trim().split('\n'), ['metadata.json', 'Virtual Hard Disks/disk.vhd', 'Vagrantfile']);
  await assert.rejects(writeTarPackage({ output: join(dir, 'bad.tar'), exec, log: () => {}, entries: [{ name: '../x', content: '' }] }));
});
