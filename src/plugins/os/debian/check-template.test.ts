import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tdl } from '../../../domain/template/tdl.js';
import { checkDebianTemplate } from './check-template.js';
import { resolveRelease } from './releases.js';
import { debianOsPlugin } from './index.js';

function tdl(os: Partial<Tdl['os']> = {}, rest: Partial<Tdl> = {}): Tdl {
  return {
    version: null, name: 't', description: null,
    os: { name: 'Debian', version: '12', arch: 'x86_64', install: { type: 'url', url: 'http://mirror.example/debian' },
      rootpw: 'pw', key: null, kernelparam: null, icicleExtraCommand: null, ...os },
    packages: [], files: [], commands: [], precommands: [], repositories: [], diskSizeBytes: null, ...rest,
  };
}

test('releases resolve by codename, number and point release', () => {
  assert.equal(resolveRelease('Debian', 'bookworm')?.codename, 'bookworm');
  assert.equal(resolveRelease('debian', '12')?.codename, 'bookworm');
  assert.equal(resolveRelease('Debian', '12.5')?.codename, 'bookworm');
  assert.equal(resolveRelease('Debian', 'unstable')?.codename, 'sid');
  assert.equal(resolveRelease('Ubuntu', '22.04')?.codename, 'jammy');
  assert.equal(resolveRelease('Ubuntu', 'noble')?.kernelPackage, 'linux-image-virtual');
  assert.equal(resolveRelease('Debian', '7'), null);
  assert.equal(resolveRelease('Fedora', '40'), null);
});

test('an ordinary bookworm template has no problems', () => {
  assert.deepEqual(checkDebianTemplate(tdl()), []);
  assert.deepEqual(debianOsPlugin.check(tdl({ name: 'Ubuntu', version: '22.04' })), []);
});

test('reports unsupported arch, release, iso install and bad values', () => {
  assert.match(checkDebianTemplate(tdl({ arch: 'aarch64' })).join(), /aarch64 is not supported.*only x86_64/);
  assert.match(checkDebianTemplate(tdl({ version: '7' })).join(), /Debian 7 is not a release.*Debian 12 \(bookworm\)/);
  const iso = checkDebianTemplate(tdl({ install: { type: 'iso', iso: 'http://x/y.iso', checksum: null, extras: [] } })).join();
  assert.match(iso, /install type='iso'> is not supported.*<install type='url'>/);
  assert.match(checkDebianTemplate(tdl({ install: { type: 'url', url: '' } })).join(), /install url must be/);
  assert.match(checkDebianTemplate(tdl({ kernelparam: 'quiet; reboot' })).join(), /kernelparam may not contain/);
  assert.match(checkDebianTemplate(tdl({}, { packages: [{ name: 'Bad Name', repository: null, file: null, arguments: null }] })).join(),
    /"Bad Name" is not a valid Debian package name/);
  assert.match(checkDebianTemplate(tdl({}, { files: [{ name: 'etc/x', type: 'raw', content: '' }] })).join(), /absolute path/);
});

test('plugin metadata', () => {
  assert.equal(debianOsPlugin.id, 'Debian');
  assert.deepEqual(debianOsPlugin.info.targets, [['Debian', null, null], ['Ubuntu', null, null]]);
  assert.equal(debianOsPlugin.info.type, 'os');
});
