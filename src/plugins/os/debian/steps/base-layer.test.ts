import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fetchReleaseFingerprint, sha256Hex } from '../../shared/release-fingerprint.js';
import { resolveRelease } from '../releases.js';
import { assertSameRelease, releaseFileUrls } from './base-layer.js';

const bookworm = resolveRelease('Debian', '12')!;
const RELEASE = 'Origin: Debian\nSuite: stable\nCodename: bookworm\nDate: Sat, 15 Nov 2026 09:12:43 UTC\n';

test('the release fingerprint: InRelease if served, else Release; its sha256 and Date; a clear error if neither', async () => {
  const served = new Map<string, string>([['/debian/dists/bookworm/Release', RELEASE]]);
  const server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debian`;
  try {
    const f = await fetchReleaseFingerprint(releaseFileUrls(mirror, 'bookworm'));
    assert.equal(f.url, `${mirror}/dists/bookworm/Release`);
    assert.equal(f.sha256, sha256Hex(RELEASE));
    assert.equal(f.date, 'Sat, 15 Nov 2026 09:12:43 UTC');
    served.set('/debian/dists/bookworm/InRelease', `-----BEGIN PGP SIGNED MESSAGE-----\n\n${RELEASE}`);
    assert.equal((await fetchReleaseFingerprint(releaseFileUrls(mirror, 'bookworm'))).url, `${mirror}/dists/bookworm/InRelease`);
    await assert.rejects(fetchReleaseFingerprint(releaseFileUrls(mirror, 'trixie')), /release file could not be read: .*trixie\/InRelease: HTTP 404/);
  } finally {
    server.close();
  }
});

test('a mirror that changed during the bootstrap fails the build with the reason', async () => {
  const tree = await mkdtemp(join(tmpdir(), 'layer-release-'));
  try {
    const lists = join(tree, 'var/lib/apt/lists');
    await mkdir(lists, { recursive: true });
    await writeFile(join(lists, 'm.example_debian_dists_bookworm_InRelease'), RELEASE);
    const same = { url: 'u', sha256: sha256Hex(RELEASE), date: 'Sat, 15 Nov 2026 09:12:43 UTC' };
    await assertSameRelease(tree, bookworm, 'http://m.example/debian', same);
    await assert.rejects(assertSameRelease(tree, bookworm, 'http://m.example/debian', { ...same, sha256: 'f'.repeat(64) }),
      /the archive http:\/\/m\.example\/debian changed during the build: its bookworm release file \(dated Sat, 15 Nov 2026 09:12:43 UTC when the build started\) was replaced/);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
});
