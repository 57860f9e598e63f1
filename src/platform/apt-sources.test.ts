import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeb822Sources, parseOneLineSources, readAptSources, debianMirrorUrl } from './apt-sources.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
`;

test('parses deb822 paragraphs, skipping deb-src and comments', () => {
  const s = parseDeb822Sources(DEB822);
  assert.equal(s.length, 2);
  assert.deepEqual(s[0], {
    uris: ['http://mirror.example/debian'], suites: ['bookworm', 'bookworm-updates'],
    components: ['main', 'contrib'], signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg',
  });
  assert.deepEqual(s[1].suites, ['bookworm-security']);
});

test('parses one-line entries with options', () => {
  const s = parseOneLineSources('# c\ndeb [arch=amd64 signed-by=/k.gpg] http://m/debian bookworm main\ndeb-src http://m/debian bookworm main\n');
  assert.deepEqual(s, [{ uris: ['http://m/debian'], suites: ['bookworm'], components: ['main'], signedBy: '/k.gpg' }]);
});

test('debianMirrorUrl picks the entry with the main suite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'apt-src-'));
  try {
    await writeFile(join(dir, 'a.sources'), 'Types: deb\nURIs: http://sec.example/debian-security/\nSuites: bookworm-security\nComponents: main\n');
    await writeFile(join(dir, 'b.list'), 'deb http://main.example/debian/ bookworm main\n');
    assert.equal((await readAptSources(dir, join(dir, 'none'))).length, 2);
    assert.equal(await debianMirrorUrl(dir, join(dir, 'none')), 'http://main.example/debian');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('this machine has a Debian mirror configured', async () => {
  const url = await debianMirrorUrl();
  assert.match(url, /^https?:\/\//);
});
