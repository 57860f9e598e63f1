import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, canonicalTemplateDigest, canonicalTemplateKey } from './canonical-key.js';
import { parseTdl } from './parse-tdl.js';
import { summarizeTdl, templateName } from './summarize-tdl.js';

const BASE = `<template version="1.0">
  <name>web</name>
  <description>web server</description>
  <os>
    <name>Debian</name>
    <version>12</version>
    <arch>x86_64</arch>
    <install type="url"><url>http://deb.debian.org/debian/</url></install>
    <rootpw>pw</rootpw>
  </os>
  <packages>
    <package name="nginx"/>
    <package name="curl"/>
  </packages>
  <files>
    <file name="/etc/motd">hello</file>
  </files>
  <commands>
    <command name="one">echo 1</command>
    <command name="two">echo 2</command>
  </commands>
  <repositories>
    <repository name="extra"><url>http://repo.example/</url><signed>yes</signed></repository>
  </repositories>
  <disk><size>16</size></disk>
</template>`;

/** The same template, written differently: layout, attribute order, child order, comments, CDATA, spellings. */
const SAME = `<?xml version="1.0" encoding="UTF-8"?>
<!-- reformatted -->
<template><disk><size>16 GiB</size></disk><os><rootpw><![CDATA[pw]]></rootpw>
<install type=" url "><url>
  http://deb.debian.org/debian/
</url></install><arch>x86_64</arch><version>12</version><name>Debian</name></os>
<repositories><repository name="extra"><signed>TRUE</signed><persisted>yes</persisted><sslverify>no</sslverify><url>http://repo.example/</url></repository></repositories>
<commands><command position="2" type="raw" name="two">echo 2</command><command name="one" position="1">  echo 1  </command></commands>
<files><file type="raw" name="/etc/motd">hel<!-- x -->lo</file></files>
<packages><package name="nginx"></package><package name="curl"/></packages>
<name>web</name><description> web server </description></template>`;

const key = (xml: string) => canonicalTemplateKey(parseTdl(xml));

function variant(find: string, replace: string): string {
  assert.ok(BASE.includes(find), `BASE does not contain ${find}`);
  return BASE.replace(find, replace);
}

describe('canonicalTemplateKey', () => {
  it('is canonical JSON of the parsed template', () => {
    const k = key(BASE);
    assert.deepEqual(JSON.parse(k).template.packages.map((p: { name: string }) => p.name), ['nginx', 'curl']);
    assert.equal(k, canonicalJson(JSON.parse(k)));
    assert.doesNotMatch(k, /\n/);
  });

  it('does not change with layout, attribute order, child order, comments, CDATA or equivalent spellings', () => {
    assert.equal(key(SAME), key(BASE));
  });

  it('treats an absent version like "1.0" and an absent disk size like the 10 GB default', () => {
    assert.equal(key(variant('<template version="1.0">', '<template>')), key(BASE));
    assert.equal(key(variant('<disk><size>16</size></disk>', '')), key(variant('<size>16</size>', '<size>10GB</size>')));
  });

  const changes: [string, string, string][] = [
    ['the name', '<name>web</name>', '<name>web2</name>'],
    ['the description', 'web server', 'web server!'],
    ['the OS version', '<version>12</version>', '<version>11</version>'],
    ['the arch', 'x86_64', 'aarch64'],
    ['the install URL', 'http://deb.debian.org/debian/', 'http://ftp.debian.org/debian/'],
    ['the root password', '<rootpw>pw</rootpw>', '<rootpw>pw2</rootpw>'],
    ['a kernel parameter', '<rootpw>', '<kernelparam>quiet</kernelparam><rootpw>'],
    ['an added package', '<package name="curl"/>', '<package name="curl"/><package name="vim"/>'],
    ['the package order', '<package name="nginx"/>\n    <package name="curl"/>', '<package name="curl"/>\n    <package name="nginx"/>'],
    ['a package repository', '<package name="curl"/>', '<package name="curl"><repository>extra</repository></package>'],
    ['file content', '>hello<', '>hello!<'],
    ['a file type', '<file name="/etc/motd">hello</file>', '<file name="/etc/motd" type="base64">aGVsbG8=</file>'],
    ['the command order', '<command name="one">echo 1</command>\n    <command name="two">echo 2</command>', '<command name="two">echo 2</command>\n    <command name="one">echo 1</command>'],
    ['a command moved to precommands', '<commands>\n    <command name="one">echo 1</command>', '<precommands><command name="one">echo 1</command></precommands><commands>'],
    ['a repository flag', '<signed>yes</signed>', '<signed>no</signed>'],
    ['the repository persistence', '<signed>yes</signed>', '<signed>yes</signed><persisted>no</persisted>'],
    ['the disk size', '<size>16</size>', '<size>16GB</size>'],
  ];
  for (const [what, find, replace] of changes) {
    it(`changes with ${what}`, () => assert.notEqual(key(variant(find, replace)), key(BASE)));
  }

  it('has a fixed-length digest form with the same equality', () => {
    const d = canonicalTemplateDigest(parseTdl(BASE));
    assert.match(d, /^sha256:[0-9a-f]{64}$/);
    assert.equal(canonicalTemplateDigest(parseTdl(SAME)), d);
    assert.notEqual(canonicalTemplateDigest(parseTdl(variant('>pw<', '>pw3<'))), d);
    assert.doesNotMatch(d, />pw</);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order and drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, 2], u: undefined }), '{"a":[{"c":"x","d":null},2],"b":1}');
  });
});

describe('templateName / summarizeTdl', () => {
  it('read what Image Factory reads from a template', () => {
    const tdl = parseTdl(BASE);
    assert.equal(templateName(tdl), 'web');
    assert.deepEqual(summarizeTdl(tdl), {
      name: 'web', description: 'web server', osName: 'Debian', osVersion: '12', arch: 'x86_64',
      installType: 'url', installSource: 'http://deb.debian.org/debian/',
    });
  });
});
