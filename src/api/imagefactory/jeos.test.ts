import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createJeosCatalog, findJeosImage } from './jeos.js';

test('a JEOS image is found by its img_id with the keys it is listed under', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jeos-'));
  try {
    await writeFile(join(dir, 'ec2.conf'), '# comment\nec2:us-east-1:Fedora:20:x86_64:ami-1234:fedora\nec2:us-east-1:Fedora:20:i386:ami-5678\n');
    const tree = await createJeosCatalog([dir]).images();
    assert.deepEqual(findJeosImage(tree, 'ami-5678'), { target: 'ec2', provider: 'us-east-1', os: 'Fedora', version: '20', arch: 'i386', img_id: 'ami-5678' });
    assert.equal(findJeosImage(tree, 'ami-1234')?.user, 'fedora');
    assert.equal(findJeosImage(tree, 'constructor'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
