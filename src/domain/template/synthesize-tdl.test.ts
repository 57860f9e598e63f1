import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { parseTdl } from './parse-tdl.js';
import { IMPORTED_INSTALL_URL, synthesizeTdl } from './synthesize-tdl.js';

describe('synthesizeTdl', () => {
  it('produces a template that parseTdl accepts, with the given identity', () => {
    const xml = synthesizeTdl({ name: 'Debian-12-import', osName: 'Debian', osVersion: '12', arch: 'x86_64', description: 'image imported on 2024-05-01' });
    const tdl = parseTdl(xml);
    assert.equal(tdl.name, 'Debian-12-import');
    assert.deepEqual([tdl.os.name, tdl.os.version, tdl.os.arch], ['Debian', '12', 'x86_64']);
    assert.deepEqual(tdl.os.install, { type: 'url', url: IMPORTED_INSTALL_URL });
    assert.equal(tdl.description, 'image imported on 2024-05-01');
    assert.equal(tdl.os.rootpw, null);
    assert.deepEqual([tdl.packages, tdl.files, tdl.commands, tdl.repositories], [[], [], [], []]);
  });

  it('omits an empty description', () => {
    const tdl = parseTdl(synthesizeTdl({ name: 'n', osName: 'Ubuntu', osVersion: '22.04', arch: 'aarch64', description: '  ' }));
    assert.equal(tdl.description, null);
  });

  it('escapes markup and survives hostile values', () => {
    const name = 'a <b> & "c" ]]> \u0001';
    const xml = synthesizeTdl({ name, osName: 'Debian</name><rootpw>x', osVersion: "12 & 'x'", arch: 'x86_64', description: '<!-- -->' });
    const tdl = parseTdl(xml);
    assert.equal(tdl.name, 'a <b> & "c" ]]> \ufffd');
    assert.equal(tdl.os.name, 'Debian</name><rootpw>x');
    assert.equal(tdl.os.rootpw, null);
    assert.equal(tdl.os.version, "12 & 'x'");
    assert.equal(tdl.description, '<!-- -->');
  });

  it('rejects missing identity fields and unknown arches', () => {
    assert.throws(() => synthesizeTdl({ name: ' ', osName: 'Debian', osVersion: '12', arch: 'x86_64' }), AppError);
    assert.throws(() => synthesizeTdl({ name: 'n', osName: '', osVersion: '12', arch: 'x86_64' }), /osName must not be empty/);
    assert.throws(() => synthesizeTdl({ name: 'n', osName: 'Debian', osVersion: '12', arch: 'sparc' as 'x86_64' }), /unsupported architecture/);
  });
});
