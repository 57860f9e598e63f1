import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../../src/platform/exec.js';
import { getBaseImageFixture } from '../helpers/base-image-fixture.js';
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';
import { finalDetails, runCli } from '../cli/run-cli.js';

let d: TestDaemon;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'if-import-boot-'));
  // The real boot tester (QEMU, TCG here): an imported disk must boot like an installed one.
  d = await startTestDaemon({ flags: { boot_test: true } });
});
after(async () => {
  await d.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(d.dataDir, { recursive: true, force: true });
});

test('a real Debian disk imported as qcow2 through the CLI is boot-tested and COMPLETE', { timeout: 30 * 60_000 }, async () => {
  const fixture = await getBaseImageFixture();
  const qcow2 = join(dir, 'debian.qcow2');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', fixture.diskPath, qcow2]);
  const r = await runCli(['--url', `${d.url}/imagefactory`, '--poll-interval', '500', 'import_base_image', qcow2, '--os-name', 'Debian', '--os-version', '12']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const id = finalDetails(r.stdout).UUID;
  const image = (await (await fetch(`${d.url}/imagefactory/base_images/${id}`)).json()).base_image;
  assert.equal(image.properties.boot_test.ok, true, JSON.stringify(image.properties));
  assert.equal(image.properties.import.format, 'qcow2');
  const serial = await readFile(d.container.artifacts.artifactPath(id, 'serial.log'), 'utf8');
  assert.match(serial, /login:|imagefactory/i);
});
