import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskSizeInBytes, MIN_DISK_BYTES, parseDiskSize } from './disk-size.js';
import { parseTdl } from './parse-tdl.js';

const GiB = 2 ** 30;

describe('disk sizes (spec tdl.md §3)', () => {
  const accepted: [string, number][] = [
    ['10', 10 * GiB], // no suffix: GiB
    ['10G', 10 * GiB], ['10g', 10 * GiB], // G: GiB
    ['1T', 2 ** 40], ['2t', 2 * 2 ** 40], // T: TiB
    ['512B', 512], ['1b', 1],
    ['1KB', 1e3], ['1MB', 1e6], ['10GB', 10e9], ['10 GB', 10e9], ['10gb', 10e9], ['1TB', 1e12], ['2PB', 2e15],
    ['1KiB', 2 ** 10], ['1MiB', 2 ** 20], ['16GiB', 16 * GiB], ['16gib', 16 * GiB], ['16 GIB', 16 * GiB], ['1TiB', 2 ** 40], ['2PiB', 2 ** 51],
    ['10   GiB', 10 * GiB], ['007', 7 * GiB],
  ];
  for (const [text, bytes] of accepted) {
    it(`"${text}" is ${bytes} bytes`, () => assert.deepEqual(diskSizeInBytes(text), { ok: true, bytes }));
  }

  const rejected: [string, 'schema' | 'semantic', RegExp][] = [
    ['10.5G', 'schema', /invalid disk size/], ['-1', 'schema', /invalid disk size/], ['10 X', 'schema', /invalid disk size/],
    ['10 G B', 'schema', /invalid disk size/], ['G10', 'schema', /invalid disk size/],
    ['10M', 'semantic', /invalid disk size/], ['10K', 'semantic', /invalid disk size/], ['10P', 'semantic', /invalid disk size/],
    ['10Gi', 'semantic', /invalid disk size/], ['10iB', 'semantic', /invalid disk size/], ['10i', 'semantic', /invalid disk size/],
    ['GB', 'semantic', /invalid disk size/], ['', 'semantic', /invalid disk size/],
    ['0', 'semantic', /greater than zero/], ['0GiB', 'semantic', /greater than zero/],
    ['9EB', 'semantic', /too large/], ['1YiB', 'semantic', /too large/], ['99999999999999999999', 'semantic', /too large/],
  ];
  for (const [text, kind, reason] of rejected) {
    it(`rejects "${text}" (${kind})`, () => {
      const r = parseDiskSize(text);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.kind, kind);
        assert.match(r.reason, reason);
      }
    });
  }

  it('a disk smaller than the partitions need is a semantic error naming the minimum', () => {
    for (const text of ['100MB', '100MiB', '194MiB', '512B']) {
      const r = parseDiskSize(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) { assert.equal(r.kind, 'semantic'); assert.match(r.reason, /too small; the minimum is 195MiB/); }
    }
    assert.deepEqual(parseDiskSize('195MiB'), { ok: true, bytes: MIN_DISK_BYTES });
    assert.deepEqual(parseDiskSize('1'), { ok: true, bytes: GiB });
  });

  it('reaches the template as diskSizeBytes, trimmed', () => {
    const xml = (size: string) => `<template><name>n</name><os><name>Debian</name><version>12</version><arch>x86_64</arch>
      <install type="url"><url>http://deb.debian.org/debian/</url></install></os><disk><size>${size}</size></disk></template>`;
    assert.equal(parseTdl(xml('\n   20 GB \n')).diskSizeBytes, 20e9);
    assert.equal(parseTdl(xml('4')).diskSizeBytes, 4 * GiB);
  });
});
