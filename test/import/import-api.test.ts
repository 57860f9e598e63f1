import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../../src/platform/exec.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const IMPORT = '/imagefactory/base_images/import';
const OCTET = { 'content-type': 'application/octet-stream' };
const MAX_UPLOAD = 20 * 1024 * 1024;

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('POST /imagefactory/base_images/import: uploaded disks become base images', () => {
  let d: TestDaemon;
  let dir: string;
  let raw: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'if-import-'));
    raw = (await makeSyntheticDisk(dir, { sizeMiB: 16 })).path;
    d = await startTestDaemon({ flags: { import_max_bytes: MAX_UPLOAD } });
  });
  after(async () => {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(d.dataDir, { recursive: true, force: true });
  });

  const upload = (query: string, body: BodyInit, headers: Record<string, string> = OCTET) =>
    fetch(`${d.url}${IMPORT}?${query}`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);

  /** Imports `path`, waits for COMPLETE, checks raw_image equals `qemu-img convert -O raw` of it. */
  async function importAndCompare(path: string, inputFormat: string, query: string): Promise<Record<string, unknown>> {
    const res = await upload(query, await readFile(path));
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const { base_image: created } = JSON.parse(text);
    assert.equal(created.href, `${d.url}/imagefactory/base_images/${created.id}`);
    const done = await waitForStatus(d.url, `/imagefactory/base_images/${created.id}`, ['COMPLETE', 'FAILED']);
    assert.equal(done.status, 'COMPLETE', JSON.stringify(done.status_detail));

    const expected = join(dir, `expected-${created.id}.raw`);
    await runTool(['qemu-img', 'convert', '-f', inputFormat, '-O', 'raw', path, expected]);
    const body = await fetch(`${d.url}/imagefactory/base_images/${created.id}/raw_image`);
    assert.equal(body.status, 200);
    const got = join(dir, `got-${created.id}.raw`);
    await writeFile(got, Readable.fromWeb(body.body as never));
    assert.equal(await sha256(got), await sha256(expected));
    assert.equal(await sha256(expected), await sha256(raw), 'the conversion round-trips the synthetic disk');
    return done;
  }

  test('a qcow2 made by qemu-img imports with a synthesised TDL and identical raw bytes', async () => {
    const qcow2 = join(dir, 'disk.qcow2');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    const done = await importAndCompare(qcow2, 'qcow2', 'name=imported-q&os_name=Debian&os_version=12&arch=x86_64&parameters=' + encodeURIComponent('{"note":"x"}'));
    assert.match(done.template as string, /<name>imported-q<\/name>[\s\S]*<name>Debian<\/name>\s*<version>12<\/version>\s*<arch>x86_64<\/arch>/);
    assert.deepEqual(done.parameters, { note: 'x' });
    const props = done.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.import.format, 'qcow2');
    assert.equal(props.import.virtual_size, 16 * 1024 * 1024);
    assert.deepEqual(props.boot_test, { skipped: true });
  });

  test('a vmdk is recognised without a format hint', async () => {
    const vmdk = join(dir, 'disk.vmdk');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', raw, vmdk]);
    const done = await importAndCompare(vmdk, 'vmdk', 'os_name=Debian&os_version=12');
    assert.equal((done.properties as Record<string, Record<string, unknown>>).import.format, 'vmdk');
  });

  test('a fixed VHD (footer only, probes as raw) is found by the explicit vpc candidate', async () => {
    const vhd = join(dir, 'fixed.vhd');
    await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw, vhd]);
    const done = await importAndCompare(vhd, 'vpc', 'os_name=Debian&os_version=12');
    assert.equal((done.properties as Record<string, Record<string, unknown>>).import.format, 'vpc');
  });

  /** Asserts a refused upload left no record and no files behind. */
  async function assertNothingPersisted(before: { images: number; scratch: string[]; storage: string[] }): Promise<void> {
    const list = await (await fetch(`${d.url}/imagefactory/base_images`)).json();
    assert.equal(list.base_images.length, before.images);
    assert.deepEqual(await readdir(join(d.dataDir, 'images')), before.scratch);
    assert.deepEqual(await readdir(join(d.dataDir, 'storage')), before.storage);
  }
  async function snapshot() {
    const list = await (await fetch(`${d.url}/imagefactory/base_images`)).json();
    return { images: list.base_images.length as number, scratch: await readdir(join(d.dataDir, 'images')), storage: await readdir(join(d.dataDir, 'storage')) };
  }

  test('garbage, empty bodies and dangerous images are 400 and leave nothing behind', async () => {
    const state = await snapshot();
    const garbage = await upload('os_name=Debian&os_version=12', Buffer.from('this is not a disk image\n'.repeat(1000)));
    assert.equal(garbage.status, 400);
    assert.match(await garbage.text(), /not a disk image qemu-img can read/);
    assert.equal((await upload('os_name=Debian&os_version=12', Buffer.alloc(0))).status, 400);

    // A qcow2 whose backing file is a host file would copy that file into the image.
    const backed = join(dir, 'backed.qcow2');
    await runTool(['qemu-img', 'create', '-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw', backed]);
    const b = await upload('os_name=Debian&os_version=12', await readFile(backed));
    assert.equal(b.status, 400);
    assert.match(await b.text(), /backing file/);

    // So would a VMDK descriptor naming a host file as its extent.
    const descriptor = '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 16 FLAT "/etc/hostname" 0\n';
    const v = await upload('os_name=Debian&os_version=12', Buffer.from(descriptor));
    assert.equal(v.status, 400);
    assert.match(await v.text(), /extents in other files/);

    // A forced format that does not match is refused, not reinterpreted.
    const forced = await upload('os_name=Debian&os_version=12&format=vdi', await readFile(backed));
    assert.equal(forced.status, 400);
    await assertNothingPersisted(state);
  });

  test('missing OS facts, bad fields and non-octet-stream bodies are refused before reading', async () => {
    const state = await snapshot();
    const noVersion = await upload('os_name=Debian', Buffer.from('x'));
    assert.equal(noVersion.status, 400);
    assert.match(await noVersion.text(), /os_version must be given/);
    const arch = await upload('os_name=Debian&os_version=12&arch=sparc', Buffer.from('x'));
    assert.equal(arch.status, 400);
    assert.equal((await upload('os_name=Debian&os_version=12&format=iso', Buffer.from('x'))).status, 400);
    assert.equal((await upload('os_name=Debian&os_version=12&parameters=%5B1%5D', Buffer.from('x'))).status, 400);
    const json = await upload('os_name=Debian&os_version=12', '{}', { 'content-type': 'application/json' });
    assert.equal(json.status, 415);
    assert.match(await json.text(), /application\/octet-stream/);
    const get = await fetch(`${d.url}${IMPORT}`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await assertNothingPersisted(state);
  });

  test('uploads over import_max_bytes are 413, announced or streamed without a length', async () => {
    const state = await snapshot();
    const big = join(dir, 'big.raw');
    await runTool(['truncate', '-s', String(MAX_UPLOAD + 1), big]);
    const announced = await upload('os_name=Debian&os_version=12', await readFile(big));
    assert.equal(announced.status, 413);
    assert.match(await announced.text(), /import_max_bytes/);
    // Chunked: the limit is enforced while streaming.
    const chunked = await upload('os_name=Debian&os_version=12', Readable.toWeb(createReadStream(big)) as BodyInit);
    assert.equal(chunked.status, 413);
    await assertNothingPersisted(state);
  });
});
