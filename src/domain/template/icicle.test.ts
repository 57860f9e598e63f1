import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_ICICLE, parseIcicle, renderIcicle } from './icicle.js';
import type { InstalledPackage } from './tdl.js';

const PKGS: InstalledPackage[] = [
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' },
  { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
  { name: 'libc6', version: '2.36-9+deb12u4', arch: 'i386' },
  { name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' },
];

describe('renderIcicle', () => {
  it('renders the ICICLE layout: description, sorted packages, "version arch" in extra', () => {
    assert.equal(renderIcicle(PKGS, { description: 'web server' }), [
      '<icicle>',
      '  <description>web server</description>',
      '  <packages>',
      '    <package name="bash"><extra>5.2.15-2+b2 amd64</extra></package>',
      '    <package name="libc6"><extra>2.36-9+deb12u4 amd64</extra></package>',
      '    <package name="libc6"><extra>2.36-9+deb12u4 i386</extra></package>',
      '    <package name="zlib1g"><extra>1:1.2.13.dfsg-1 amd64</extra></package>',
      '  </packages>',
      '</icicle>',
      '',
    ].join('\n'));
  });

  it('does not depend on input order and does not mutate its input', () => {
    const copy = [...PKGS];
    assert.equal(renderIcicle([...PKGS].reverse()), renderIcicle(PKGS));
    assert.deepEqual(PKGS, copy);
  });

  it('omits the description when none is given and renders an empty package list', () => {
    assert.equal(renderIcicle([]), '<icicle>\n  <packages/>\n</icicle>\n');
    assert.deepEqual(parseIcicle(renderIcicle([])), { description: null, packages: [] });
  });

  it('escapes names, extras and the description', () => {
    const hostile: InstalledPackage[] = [{ name: 'a"b<c>&d\'e\tf\ng', version: '1<2>&]]>', arch: 'x"y' }, { name: 'ctl\u0001', version: '', arch: '' }];
    const xml = renderIcicle(hostile, { description: '<desc> & "q" ]]>' });
    assert.doesNotMatch(xml, /]]>/);
    assert.match(xml, /name="a&quot;b&lt;c&gt;&amp;d'e&#9;f&#10;g"/);
    const parsed = parseIcicle(xml);
    assert.equal(parsed.description, '<desc> & "q" ]]>');
    assert.deepEqual(parsed.packages, [
      { name: 'a"b<c>&d\'e\tf\ng', extra: '1<2>&]]> x"y' },
      { name: 'ctl\ufffd', extra: null },
    ]);
  });

  it('round-trips through parseIcicle', () => {
    const parsed = parseIcicle(renderIcicle(PKGS, { description: 'd' }));
    assert.equal(parsed.description, 'd');
    assert.deepEqual(parsed.packages.map((p) => `${p.name} ${p.extra}`), [
      'bash 5.2.15-2+b2 amd64', 'libc6 2.36-9+deb12u4 amd64', 'libc6 2.36-9+deb12u4 i386', 'zlib1g 1:1.2.13.dfsg-1 amd64',
    ]);
  });

  it('writes a custom extra (e.g. extra_command output) or none', () => {
    const xml = renderIcicle(PKGS.slice(0, 1), { extra: (p) => `Name: ${p.name}` });
    assert.match(xml, /<package name="zlib1g"><extra>Name: zlib1g<\/extra><\/package>/);
    assert.match(renderIcicle(PKGS.slice(0, 1), { extra: () => null }), /<package name="zlib1g"\/>/);
  });

  it('skips packages without a name', () => {
    assert.deepEqual(parseIcicle(renderIcicle([{ name: '', version: '1', arch: 'all' }])).packages, []);
  });
});

describe('EMPTY_ICICLE / parseIcicle', () => {
  it('is what TinMan stores when generate_icicle is false, and reads as an empty manifest', () => {
    assert.equal(EMPTY_ICICLE, '<icicle></icicle>');
    assert.deepEqual(parseIcicle(EMPTY_ICICLE), { description: null, packages: [] });
  });

  it('validates against the ICICLE schema', () => {
    assert.throws(() => parseIcicle('<icicle><pkgs/></icicle>'), /line 1: element "pkgs" not allowed here/);
    assert.throws(() => parseIcicle('<icicle>\n<packages><package/></packages></icicle>'), /line 2: element "package": missing required attribute "name"/);
    assert.throws(() => parseIcicle('<manifest/>'), /root element must be "icicle"/);
    assert.throws(() => parseIcicle('<!DOCTYPE icicle><icicle/>'), /DOCTYPE/);
    assert.throws(() => parseIcicle('<icicle>'), /invalid ICICLE: XML syntax error/);
  });
});
