import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTdl, type ParseTdlOptions } from './parse-tdl.js';
import { TdlError, type TdlErrorKind } from './tdl-error.js';
import type { Tdl } from './tdl.js';

/** A minimal valid template (spec tdl.md §5). */
const MIN = `<template>
  <name>minimal</name>
  <os>
    <name>Debian</name>
    <version>12</version>
    <arch>x86_64</arch>
    <install type="url">
      <url>http://deb.debian.org/debian/</url>
    </install>
    <rootpw>secret</rootpw>
  </os>
</template>
`;

/** Every element and attribute of the schema, children deliberately out of document-typical order. */
const ALL = `<?xml version="1.0" encoding="UTF-8"?>
<!-- every element and attribute of oz/tdl.rng -->
<template version="1.0">
  <description>All of TDL</description>
  <os>
    <icicle><extra_command>rpm -qi %s</extra_command></icicle>
    <key>ABCDE-12345</key>
    <rootpw>s3cret</rootpw>
    <install type="iso">
      <extras>
        <directory source="http://example.com/dir/" destination="extra/dir"/>
        <file source="ftp://example.com/ks.cfg" destination="ks.cfg"/>
      </extras>
      <sha256sum>http://example.com/SHA256SUMS</sha256sum>
      <iso>http://example.com/Fedora-21.iso</iso>
    </install>
    <kernelparam>console=ttyS0</kernelparam>
    <arch>aarch64</arch>
    <version>21</version>
    <name>Fedora</name>
  </os>
  <name>everything</name>
  <packages>
    <package name="httpd"/>
    <package name="setup.exe">
      <arguments>/S</arguments>
      <file>setup.exe</file>
      <repository>myrepo</repository>
    </package>
  </packages>
  <files>
    <file name="/etc/motd">Hello &amp; welcome</file>
    <file name="/etc/raw" type="raw">raw text</file>
    <file name="/etc/b64" type="base64">aGVsbG8=</file>
    <file name="/etc/empty" type="base64"></file>
    <file name="/etc/fetched" type="url">https://example.com/file.txt</file>
  </files>
  <commands>
    <command name="two" position="2" type="base64">ZWNobyAy</command>
    <command name="one" position="1">echo 1</command>
    <command name="three" position="3" type="url">http://example.com/three.sh</command>
  </commands>
  <precommands>
    <command type="raw" name="pre">echo pre</command>
  </precommands>
  <repositories>
    <repository name="myrepo">
      <sslverify>Yes</sslverify>
      <persisted>FALSE</persisted>
      <signed>true</signed>
      <url>https://repo.example.com/fedora/21/</url>
    </repository>
    <repository name="defaults">
      <url>http://mirror.example.com/</url>
    </repository>
  </repositories>
  <disk>
    <size>16GiB</size>
  </disk>
</template>
`;

/** 1-based line of the first occurrence of `needle`. */
function lineOf(xml: string, needle: string): number {
  const at = xml.indexOf(needle);
  assert.ok(at >= 0, `fixture does not contain ${needle}`);
  return xml.slice(0, at).split('\n').length;
}

function rejects(xml: string, expected: { line: number; kind: TdlErrorKind; reason: RegExp }, options?: ParseTdlOptions): TdlError {
  let err: unknown;
  try {
    parseTdl(xml, options);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TdlError, `expected a TdlError, got ${err === undefined ? 'success' : String(err)}`);
  assert.match(err.reason, expected.reason);
  assert.equal(err.kind, expected.kind, err.message);
  assert.equal(err.line, expected.line, err.message);
  assert.ok(err.message.includes(`line ${expected.line}: `), err.message);
  return err;
}

/** MIN with `find` replaced by `replace` (which must occur). */
function min(find: string, replace: string): string {
  assert.ok(MIN.includes(find), `MIN does not contain ${find}`);
  return MIN.replace(find, replace);
}

/** MIN with `extra` inserted just before `</template>`. */
function withSection(extra: string): string {
  return MIN.replace('</template>', `${extra}\n</template>`);
}

describe('parseTdl: accepted templates', () => {
  it('parses the minimal template', () => {
    const tdl = parseTdl(MIN);
    assert.deepEqual(tdl, {
      version: null,
      name: 'minimal',
      description: null,
      os: {
        name: 'Debian', version: '12', arch: 'x86_64',
        install: { type: 'url', url: 'http://deb.debian.org/debian/' },
        rootpw: 'secret', key: null, kernelparam: null, icicleExtraCommand: null,
      },
      packages: [], files: [], commands: [], precommands: [], repositories: [], diskSizeBytes: null,
    } satisfies Tdl);
  });

  it('parses every element and attribute, in any interleaved order', () => {
    const tdl = parseTdl(ALL);
    assert.deepEqual(tdl, {
      version: '1.0',
      name: 'everything',
      description: 'All of TDL',
      os: {
        name: 'Fedora', version: '21', arch: 'aarch64',
        install: {
          type: 'iso',
          iso: 'http://example.com/Fedora-21.iso',
          checksum: { type: 'sha256', url: 'http://example.com/SHA256SUMS' },
          extras: [
            { kind: 'directory', source: 'http://example.com/dir/', destination: 'extra/dir' },
            { kind: 'file', source: 'ftp://example.com/ks.cfg', destination: 'ks.cfg' },
          ],
        },
        rootpw: 's3cret', key: 'ABCDE-12345', kernelparam: 'console=ttyS0', icicleExtraCommand: 'rpm -qi %s',
      },
      packages: [
        { name: 'httpd', repository: null, file: null, arguments: null },
        { name: 'setup.exe', repository: 'myrepo', file: 'setup.exe', arguments: '/S' },
      ],
      files: [
        { name: '/etc/motd', type: 'raw', content: 'Hello & welcome' },
        { name: '/etc/raw', type: 'raw', content: 'raw text' },
        { name: '/etc/b64', type: 'base64', content: 'aGVsbG8=' },
        { name: '/etc/empty', type: 'base64', content: '' },
        { name: '/etc/fetched', type: 'url', content: 'https://example.com/file.txt' },
      ],
      commands: [
        { name: 'one', position: 1, type: 'raw', content: 'echo 1' },
        { name: 'two', position: 2, type: 'base64', content: 'ZWNobyAy' },
        { name: 'three', position: 3, type: 'url', content: 'http://example.com/three.sh' },
      ],
      precommands: [{ name: 'pre', position: null, type: 'raw', content: 'echo pre' }],
      repositories: [
        { name: 'myrepo', url: 'https://repo.example.com/fedora/21/', signed: true, persisted: false, sslverify: true },
        { name: 'defaults', url: 'http://mirror.example.com/', signed: false, persisted: true, sslverify: false },
      ],
      diskSizeBytes: 16 * 2 ** 30,
    } satisfies Tdl);
  });

  for (const arch of ['i386', 'x86_64', 'ppc64', 'ppc64le', 'aarch64', 'armv7l', 's390x']) {
    it(`accepts arch ${arch}`, () => assert.equal(parseTdl(min('x86_64', arch)).os.arch, arch));
  }

  for (const [sum, type] of [['md5sum', 'md5'], ['sha1sum', 'sha1'], ['sha256sum', 'sha256']] as const) {
    it(`accepts an iso install with ${sum}`, () => {
      const xml = min('<install type="url">\n      <url>http://deb.debian.org/debian/</url>',
        `<install type="iso">\n      <iso>http://x.example/d.iso</iso><${sum}>http://x.example/SUMS</${sum}>`);
      const { install } = parseTdl(xml).os;
      assert.deepEqual(install, { type: 'iso', iso: 'http://x.example/d.iso', checksum: { type, url: 'http://x.example/SUMS' }, extras: [] });
    });
  }

  it('accepts an iso install without checksum or extras', () => {
    const xml = min('<install type="url">\n      <url>http://deb.debian.org/debian/</url>', '<install type="iso">\n      <iso>http://x.example/d.iso</iso>');
    assert.deepEqual(parseTdl(xml).os.install, { type: 'iso', iso: 'http://x.example/d.iso', checksum: null, extras: [] });
  });

  it('trims whitespace around text values and ignores comments, PIs and CDATA boundaries', () => {
    const xml = `<template version=" 1.0 ">
      <name>
         spaced name
      </name>
      <os><name> Debian</name><version>12 </version><arch>
        x86_64
      </arch><install type=" url "><url>  http://deb.debian.org/debian/  </url></install>
      <rootpw><![CDATA[ a<b&c ]]></rootpw><key>AB<!-- comment -->CD<?pi x?></key></os>
      <description>a &lt;b&gt; &#x41;</description>
    </template>`;
    const tdl = parseTdl(xml);
    assert.equal(tdl.version, '1.0');
    assert.equal(tdl.name, 'spaced name');
    assert.equal(tdl.os.name, 'Debian');
    assert.equal(tdl.os.version, '12');
    assert.equal(tdl.os.arch, 'x86_64');
    assert.deepEqual(tdl.os.install, { type: 'url', url: 'http://deb.debian.org/debian/' });
    assert.equal(tdl.os.rootpw, 'a<b&c');
    assert.equal(tdl.os.key, 'ABCD');
    assert.equal(tdl.description, 'a <b> A');
  });

  it('keeps non-XML whitespace (NBSP) as content', () => {
    assert.equal(parseTdl(min('<rootpw>secret</rootpw>', '<rootpw>\u00a0pw\u00a0</rootpw>')).os.rootpw, '\u00a0pw\u00a0');
  });

  it('accepts empty optional elements and empty containers', () => {
    const xml = withSection('<description/><packages/><files></files><commands/><precommands/><repositories/>');
    const tdl = parseTdl(xml);
    assert.equal(tdl.description, '');
    assert.deepEqual([tdl.packages, tdl.files, tdl.commands, tdl.precommands, tdl.repositories], [[], [], [], [], []]);
  });

  it('accepts case-insensitive bools and applies the defaults (signed no, persisted yes, sslverify no)', () => {
    const repos = ['TRUE', 'yes', 'No', 'false'].map((b, i) => `<repository name="r${i}"><url>http://r.example/</url><signed>${b}</signed></repository>`);
    const tdl = parseTdl(withSection(`<repositories>${repos.join('')}<repository name="d"><url>http://d.example/</url></repository></repositories>`));
    assert.deepEqual(tdl.repositories.map((r) => r.signed), [true, true, false, false, false]);
    assert.deepEqual(tdl.repositories.map((r) => [r.persisted, r.sslverify]), Array(5).fill([true, false]));
  });

  it('keeps the first place and the last value of a repeated file or repository name, as Oz does', () => {
    const tdl = parseTdl(withSection(`<files><file name="/a">1</file><file name="/b">2</file><file name="/a">3</file></files>
      <repositories><repository name="x"><url>http://one.example/</url></repository><repository name="y"><url>http://y.example/</url></repository>
      <repository name="x"><url>http://two.example/</url></repository></repositories>`));
    assert.deepEqual(tdl.files.map((f) => [f.name, f.content]), [['/a', '3'], ['/b', '2']]);
    assert.deepEqual(tdl.repositories.map((r) => [r.name, r.url]), [['x', 'http://two.example/'], ['y', 'http://y.example/']]);
  });

  it('keeps repeated packages (Oz keeps them too)', () => {
    const tdl = parseTdl(withSection('<packages><package name="a"/><package name="a"/></packages>'));
    assert.equal(tdl.packages.length, 2);
  });

  it('accepts a byte-order mark and CRLF line ends', () => {
    const tdl = parseTdl(`\ufeff${MIN.replace(/\n/g, '\r\n')}`);
    assert.equal(tdl.name, 'minimal');
  });

  it('accepts file: URLs where the build fetches content only with allowFileUrls', () => {
    const xml = withSection('<files><file name="/x" type="url">file:///srv/x</file></files><commands><command name="c" type="url">file:///srv/c.sh</command></commands><repositories><repository name="r"><url>file:///srv/repo</url></repository></repositories>');
    const tdl = parseTdl(xml, { allowFileUrls: true });
    assert.equal(tdl.files[0]!.content, 'file:///srv/x');
    assert.equal(tdl.commands[0]!.content, 'file:///srv/c.sh');
    assert.equal(tdl.repositories[0]!.url, 'file:///srv/repo');
  });
});

describe('parseTdl: command order', () => {
  const cmds = (section: string, body: string) => parseTdl(withSection(`<${section}>${body}</${section}>`));

  it('runs commands in document order without positions', () => {
    const tdl = cmds('commands', '<command name="c">3</command><command name="a">1</command><command name="b">2</command>');
    assert.deepEqual(tdl.commands.map((c) => c.name), ['c', 'a', 'b']);
    assert.ok(tdl.commands.every((c) => c.position === null));
  });

  it('runs commands by position when every command has one', () => {
    const tdl = cmds('commands', '<command name="c" position="3">3</command><command name="a" position="1">1</command><command name="b" position="02">2</command>');
    assert.deepEqual(tdl.commands.map((c) => [c.name, c.position]), [['a', 1], ['b', 2], ['c', 3]]);
  });

  it('orders precommands independently of commands', () => {
    const tdl = parseTdl(withSection('<precommands><command name="p2" position="2">x</command><command name="p1" position="1">x</command></precommands><commands><command name="c">x</command></commands>'));
    assert.deepEqual(tdl.precommands.map((c) => c.name), ['p1', 'p2']);
    assert.deepEqual(tdl.commands.map((c) => c.name), ['c']);
  });

  const bad: [string, string, string, RegExp][] = [
    ['mixed positions', '<command name="a" position="1">x</command>\n<command name="b">y</command>', '<command name="b"', /must have a "position" attribute .* or none of them/],
    ['a gap', '<command name="a" position="1">x</command>\n<command name="b" position="3">y</command>', 'position="3"', /exactly 1\.\.2 without gaps or duplicates; position 3/],
    ['a duplicate', '<command name="a" position="1">x</command>\n<command name="b" position="1">y</command>', 'position="1">y', /exactly 1\.\.2 without gaps or duplicates; position 1/],
    ['a start at 0', '<command name="a" position="0">x</command>', 'position="0"', /exactly 1\.\.1/],
  ];
  for (const section of ['commands', 'precommands']) {
    for (const [what, body, marker, reason] of bad) {
      it(`rejects ${what} in ${section}`, () => {
        const xml = withSection(`<${section}>\n${body}\n</${section}>`);
        rejects(xml, { line: lineOf(xml, marker), kind: 'semantic', reason });
      });
    }
  }
});

describe('parseTdl: rejected templates, with the line of the offending construct', () => {
  it('reports the <intall> typo on its line, in the original wording', () => {
    const xml = min('<install type="url">\n      <url>http://deb.debian.org/debian/</url>\n    </install>',
      '<intall type="url">\n      <url>http://deb.debian.org/debian/</url>\n    </intall>');
    const err = rejects(xml, { line: 7, kind: 'schema', reason: /^element "intall" not allowed here$/ });
    assert.equal(err.message, 'XML schema validation failed: line 7: element "intall" not allowed here');
    assert.equal(err.column, 5);
    assert.equal(err.code, 'TEMPLATE_INVALID');
    assert.equal(err.category, 'invalid-input');
    assert.deepEqual(err.details, { kind: 'schema', line: 7, column: 5, reason: 'element "intall" not allowed here' });
  });

  type Case = [what: string, xml: string, marker: string, kind: TdlErrorKind, reason: RegExp, options?: ParseTdlOptions];
  const INSTALL_URL = '<install type="url">\n      <url>http://deb.debian.org/debian/</url>';
  const isoInstall = (inner: string) => min(INSTALL_URL, `<install type="iso">\n      <iso>http://x.example/d.iso</iso>\n      ${inner}`);
  const cases: Case[] = [
    // structure
    ['a foreign root element', '<tempate>\n</tempate>', '<tempate', 'schema', /^element "tempate" not allowed here: the root element must be "template"$/],
    ['an unknown attribute', min('<template>', '<template\n  lang="en">'), 'lang=', 'schema', /^element "template": attribute "lang" not allowed$/],
    ['an unknown top-level element', withSection('  <extra/>'), '<extra', 'schema', /^element "extra" not allowed here$/],
    ['an XInclude element', withSection('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'), '<xi:include', 'schema', /^element "xi:include" not allowed here$/],
    ['a default-namespaced template', min('<template>', '<template xmlns="urn:other">'), '<template', 'schema', /root element must be "template"/],
    ['a namespaced attribute', min('<name>minimal', '<name xml:lang="en">minimal'), 'xml:lang', 'schema', /attribute "xml:lang" not allowed/],
    ['a second <name>', min('<os>', '<name>again</name>\n  <os>'), '<name>again', 'schema', /^element "name" not allowed here: "template" may contain only one "name"$/],
    ['a missing <name>', min('  <name>minimal</name>\n', ''), '<template>', 'schema', /^element "template": missing required element "name"$/],
    ['a missing <os>', '<template>\n<name>x</name>\n</template>', '<template>', 'schema', /missing required element "os"/],
    ['a missing os <name>', min('<name>Debian</name>', ''), '<os>', 'schema', /^element "os": missing required element "name"$/],
    ['a missing os <version>', min('<version>12</version>', ''), '<os>', 'schema', /missing required element "version"/],
    ['a missing <arch>', min('<arch>x86_64</arch>', ''), '<os>', 'schema', /missing required element "arch"/],
    ['a missing <install>', min(`${INSTALL_URL}\n    </install>`, ''), '<os>', 'schema', /missing required element "install"/],
    ['text inside <os>', min('<name>Debian', 'stray text\n    <name>Debian'), 'stray', 'schema', /^element "os": text not allowed here$/],
    ['an element inside a text element', min('<version>12</version>', '<version>12<b>x</b></version>'), '<b>', 'schema', /^element "b" not allowed here: "version" holds text only$/],
    ['an empty template name', min('<name>minimal</name>', '<name>  </name>'), '<name>  ', 'semantic', /^element "name" must not be empty$/],
    ['an empty os version', min('<version>12</version>', '<version/>'), '<version/>', 'semantic', /"version" must not be empty/],
    ['template version 2.0', min('<template>', '<template version="2.0">'), '<template', 'schema', /invalid value "2.0" for attribute "version" \(expected "1.0"\)/],
    ['template version 0.9', min('<template>', '<template version="0.9">'), '<template', 'schema', /invalid value "0.9"/],
    ['an unknown arch', min('x86_64', 'sparc64'), 'sparc64', 'schema', /^element "arch": invalid value "sparc64" \(expected "i386", .* or "s390x"\)$/],
    ['an attribute on <arch>', min('<arch>', '<arch bits="64">'), '<arch', 'schema', /attribute "bits" not allowed/],
    // install
    ['an install without type', min('<install type="url">', '<install>'), '<install>', 'schema', /^element "install": missing required attribute "type"$/],
    ['an unknown install type', min('type="url"', 'type="pxe"'), 'type="pxe"', 'schema', /invalid value "pxe" for attribute "type" \(expected "url" or "iso"\)/],
    ['a url install without <url>', min('<url>http://deb.debian.org/debian/</url>', ''), '<install', 'schema', /^element "install": missing required element "url"$/],
    ['a url install with <iso>', min('<url>', '<iso>http://x.example/d.iso</iso>\n<url>'), '<iso>', 'schema', /^element "iso" not allowed here$/],
    ['a url install with a checksum', min('<url>', '<md5sum>http://x.example/MD5</md5sum><url>'), '<md5sum>', 'schema', /^element "md5sum" not allowed here$/],
    ['a url install with extras', min('<url>', '<extras><file source="http://x.example/f" destination="f"/></extras>\n<url>'), '<extras>', 'semantic', /extras can only be used with install type "iso"/],
    ['an install url that is not a URL', min('http://deb.debian.org/debian/', 'deb.debian.org/debian'), 'deb.debian.org/debian', 'semantic', /"deb.debian.org\/debian" is not a valid absolute URL/],
    ['an iso install without <iso>', min(INSTALL_URL, '<install type="iso">'), '<install', 'schema', /missing required element "iso"/],
    ['two checksums', isoInstall('<md5sum>http://x.example/MD5</md5sum>\n      <sha1sum>http://x.example/SHA1</sha1sum>'), '<sha1sum>', 'schema', /^element "sha1sum" not allowed here: only one of "md5sum", "sha1sum" and "sha256sum" may be given$/],
    ['two checksums of one kind', isoInstall('<sha256sum>http://x.example/a</sha256sum>\n      <sha256sum>http://x.example/b</sha256sum>'), '<sha256sum>http://x.example/b', 'schema', /not allowed here/],
    ['empty extras', isoInstall('<extras>\n</extras>'), '<extras>', 'schema', /^element "extras": must contain at least one "directory" or "file" element$/],
    ['an unknown extras child', isoInstall('<extras>\n<link source="http://x.example/" destination="d"/></extras>'), '<link', 'schema', /^element "link" not allowed here$/],
    ['extras without source', isoInstall('<extras>\n<file destination="d"/></extras>'), '<file destination', 'schema', /^element "file": missing required attribute "source"$/],
    ['extras without destination', isoInstall('<extras>\n<directory source="http://x.example/"/></extras>'), '<directory', 'schema', /missing required attribute "destination"/],
    ['extras with content', isoInstall('<extras>\n<file source="http://x.example/f" destination="d">text</file></extras>'), '>text<', 'schema', /^element "file": text not allowed here$/],
    ['extras destination climbing out', isoInstall('<extras>\n<file source="http://x.example/f" destination="../../etc/passwd"/></extras>'), '<file source', 'semantic', /must not contain "\.\." segments/],
    ['extras from a file: URL', isoInstall('<extras>\n<directory source="file:///etc" destination="etc"/></extras>'), '<directory', 'semantic', /file: URLs are not allowed/],
    ['extras from an unsupported scheme', isoInstall('<extras>\n<file source="gopher://x.example/f" destination="f"/></extras>'), '<file source', 'semantic', /URL scheme "gopher" not supported/],
    // os extras
    ['an <icicle> without extra_command', min('<rootpw>', '<icicle></icicle>\n<rootpw>'), '<icicle>', 'schema', /^element "icicle": missing required element "extra_command"$/],
    ['two <rootpw>', min('</os>', '<rootpw>again</rootpw>\n</os>'), '<rootpw>again', 'schema', /may contain only one "rootpw"/],
    // packages
    ['a package without name', withSection('<packages>\n<package/>\n</packages>'), '<package/>', 'schema', /^element "package": missing required attribute "name"$/],
    ['a package with an empty name', withSection('<packages>\n<package name=" "/>\n</packages>'), '<package name', 'semantic', /attribute "name" must not be empty/],
    ['an unknown package child', withSection('<packages><package name="a">\n<version>1</version></package></packages>'), '<version>1</version></package>', 'schema', /^element "version" not allowed here$/],
    ['two package repositories', withSection('<packages><package name="a"><repository>r</repository>\n<repository>s</repository></package></packages>'), '<repository>s', 'schema', /only one "repository"/],
    ['a stray element in <packages>', withSection('<packages>\n<pkg name="a"/></packages>'), '<pkg', 'schema', /^element "pkg" not allowed here$/],
    // files
    ['a file without name', withSection('<files>\n<file>x</file></files>'), '<file>x', 'schema', /^element "file": missing required attribute "name"$/],
    ['a relative file name', withSection('<files>\n<file name="etc/motd">x</file></files>'), 'name="etc', 'semantic', /must be an absolute path/],
    ['a file name with ..', withSection('<files>\n<file name="/srv/../../etc/shadow">x</file></files>'), 'name="/srv', 'semantic', /must not contain "\.\." segments/],
    ['an unknown file type', withSection('<files>\n<file name="/x" type="gzip">x</file></files>'), 'type="gzip"', 'schema', /invalid value "gzip" for attribute "type" \(expected "raw", "base64" or "url"\)/],
    ['an unknown file attribute', withSection('<files>\n<file name="/x" mode="0600">x</file></files>'), 'mode=', 'schema', /attribute "mode" not allowed/],
    ['invalid base64 file content', withSection('<files><file name="/x" type="base64">\nnot base64!</file></files>'), 'not base64', 'schema', /content of type base64 is not valid base64/],
    ['base64 file content with inner whitespace', withSection('<files><file name="/x" type="base64">\naGVs bG8=</file></files>'), 'aGVs', 'schema', /not valid base64/],
    ['a file URL with an unsupported scheme', withSection('<files><file name="/x" type="url">\nftp://x.example/f</file></files>'), 'ftp://', 'semantic', /URL scheme "ftp" not supported \(expected http, https\)/],
    ['a file: URL file', withSection('<files><file name="/x" type="url">\nfile:///etc/shadow</file></files>'), 'file:///', 'semantic', /file: URLs are not allowed/],
    ['an empty url file', withSection('<files>\n<file name="/x" type="url"/></files>'), '<file name', 'semantic', /is not a valid absolute URL/],
    ['an element inside a file', withSection('<files><file name="/x">\n<b/></file></files>'), '<b/>', 'schema', /^element "b" not allowed here: "file" holds text only$/],
    // commands
    ['a command without name', withSection('<commands>\n<command>ls</command></commands>'), '<command>', 'schema', /^element "command": missing required attribute "name"$/],
    ['an empty command', withSection('<commands>\n<command name="c">  </command></commands>'), '<command name', 'semantic', /^element "command": empty commands are not allowed$/],
    ['an empty base64 command', withSection('<commands>\n<command name="c" type="base64"/></commands>'), '<command name', 'semantic', /empty commands are not allowed/],
    ['invalid base64 command', withSection('<commands><command name="c" type="base64">\n***</command></commands>'), '***', 'schema', /not valid base64/],
    ['a non-numeric position', withSection('<commands>\n<command name="c" position="first">ls</command></commands>'), 'position=', 'schema', /invalid value "first" for attribute "position" \(expected a number\)/],
    ['an empty position', withSection('<commands>\n<command name="c" position="">ls</command></commands>'), 'position=', 'schema', /invalid value "" for attribute "position"/],
    ['a negative position', withSection('<commands>\n<command name="c" position="-1">ls</command></commands>'), 'position=', 'schema', /invalid value "-1"/],
    ['an unknown command type', withSection('<commands>\n<command name="c" type="shell">ls</command></commands>'), 'type="shell"', 'schema', /invalid value "shell"/],
    ['a command URL with a file: scheme', withSection('<commands><command name="c" type="url">\nfile:///root/x.sh</command></commands>'), 'file:///', 'semantic', /file: URLs are not allowed/],
    ['a <command> in <files>', withSection('<files>\n<command name="c">ls</command></files>'), '<command', 'schema', /^element "command" not allowed here$/],
    // repositories
    ['a repository without url', withSection('<repositories>\n<repository name="r"></repository></repositories>'), '<repository name', 'schema', /^element "repository": missing required element "url"$/],
    ['a repository without name', withSection('<repositories>\n<repository><url>http://r.example/</url></repository></repositories>'), '<repository>', 'schema', /missing required attribute "name"/],
    ['a localhost repository', withSection('<repositories><repository name="r">\n<url>http://localhost/repo</url></repository></repositories>'), '<url>http://localhost', 'semantic', /repositories cannot be on localhost \(localhost\), since they must be reachable from the guest/],
    ['a 127.0.0.1 repository', withSection('<repositories><repository name="r">\n<url>https://127.0.0.1:8080/repo</url></repository></repositories>'), '<url>https', 'semantic', /cannot be on localhost \(127.0.0.1\)/],
    ['a localhost.localdomain repository', withSection('<repositories><repository name="r">\n<url>http://LOCALHOST.localdomain/</url></repository></repositories>'), '<url>http://LOCALHOST', 'semantic', /cannot be on localhost \(localhost.localdomain\)/],
    ['a 127.1 repository', withSection('<repositories><repository name="r">\n<url>http://127.1/</url></repository></repositories>'), '<url>http://127.1', 'semantic', /cannot be on localhost \(127.0.0.1\)/],
    ['an IPv6 loopback repository', withSection('<repositories><repository name="r">\n<url>http://[::1]/</url></repository></repositories>'), '<url>http://[::1]', 'semantic', /cannot be on localhost \(\[::1\]\)/],
    ['a repository URL that is not a URL', withSection('<repositories><repository name="r">\n<url>not a url</url></repository></repositories>'), '<url>not', 'semantic', /"not a url" is not a valid absolute URL/],
    ['a file: repository', withSection('<repositories><repository name="r">\n<url>file:///srv/repo</url></repository></repositories>'), '<url>file', 'semantic', /file: URLs are not allowed for repositories/],
    ['a bad bool', withSection('<repositories><repository name="r"><url>http://r.example/</url>\n<signed>maybe</signed></repository></repositories>'), '<signed>', 'schema', /^element "signed": invalid value "maybe" \(expected true, false, yes or no\)$/],
    ['a bool spelled 1', withSection('<repositories><repository name="r"><url>http://r.example/</url>\n<persisted>1</persisted></repository></repositories>'), '<persisted>', 'schema', /invalid value "1"/],
    ['removed repository children', withSection('<repositories><repository name="r"><url>http://r.example/</url>\n<clientcert>x</clientcert></repository></repositories>'), '<clientcert>', 'schema', /^element "clientcert" not allowed here$/],
    // disk
    ['a disk without size', withSection('<disk>\n</disk>'), '<disk>', 'schema', /^element "disk": missing required element "size"$/],
    ['a disk size off the pattern', withSection('<disk>\n<size>10.5G</size></disk>'), '<size>', 'schema', /invalid disk size "10.5G"/],
    ['a disk size with an unknown unit', withSection('<disk>\n<size>10M</size></disk>'), '<size>', 'semantic', /invalid disk size "10M"/],
    ['a disk size of zero', withSection('<disk>\n<size>0</size></disk>'), '<size>', 'semantic', /greater than zero/],
    ['two disk sizes', withSection('<disk><size>1</size>\n<size>2</size></disk>'), '<size>2', 'schema', /only one "size"/],
    // rootpw
    ['a missing rootpw when required', min('    <rootpw>secret</rootpw>\n', ''), '<os>', 'semantic', /^element "os": missing required element "rootpw" \(a root password is required by tdl_require_root_pw\)$/, { rootpwRequired: true }],
    ['an empty rootpw when required', min('<rootpw>secret</rootpw>', '<rootpw> </rootpw>'), '<rootpw>', 'semantic', /^element "rootpw" must not be empty/, { rootpwRequired: true }],
  ];
  for (const [what, xml, marker, kind, reason, options] of cases) {
    it(`rejects ${what}`, () => { rejects(xml, { line: lineOf(xml, marker), kind, reason }, options); });
  }

  it('accepts a missing rootpw unless it is required', () => {
    assert.equal(parseTdl(min('    <rootpw>secret</rootpw>\n', '')).os.rootpw, null);
    assert.equal(parseTdl(MIN, { rootpwRequired: true }).os.rootpw, 'secret');
  });

  it('reports the first error in document order', () => {
    const xml = withSection('<files>\n<file name="rel">x</file></files>\n<bogus/>');
    rejects(xml, { line: lineOf(xml, 'name="rel"'), kind: 'semantic', reason: /absolute path/ });
  });
});

describe('parseTdl: malformed XML and forbidden constructs', () => {
  const syntax = (xml: string, line: number, reason: RegExp) => {
    const err = rejects(xml, { line, kind: 'syntax', reason });
    assert.ok(err.message.startsWith(`XML syntax error: line ${line}: `), err.message);
  };

  it('rejects a billion-laughs DOCTYPE before expanding anything', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE template [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<template><name>&lol3;</name></template>`;
    syntax(lol, 2, /^DOCTYPE declarations are not allowed/);
  });

  it('rejects an external-entity (XXE) DOCTYPE', () => {
    syntax('<!DOCTYPE template SYSTEM "file:///etc/passwd">\n<template/>', 1, /DOCTYPE declarations are not allowed/);
    syntax('<?xml version="1.0"?>\n\n<!DOCTYPE t [<!ENTITY x SYSTEM "http://169.254.169.254/">]>\n<template>&x;</template>', 3, /DOCTYPE/);
  });

  it('rejects undefined entities', () => {
    syntax(min('<name>minimal</name>', '<name>&xxe;</name>'), 2, /undefined entity/);
  });

  it('rejects unclosed and mismatched tags with their line', () => {
    syntax(min('</os>', '</oss>'), 11, /unexpected close tag/);
    syntax('<template>\n  <name>x</name>\n', 3, /unclosed tag: template/);
  });

  it('rejects an empty document, text only and two roots', () => {
    syntax('', 1, /document must contain a root element/);
    syntax('   \n  ', 2, /document must contain a root element/);
    syntax('hello', 1, /text data outside of root node/);
    syntax(`${MIN}<template/>`, 13, /only one root/);
  });

  it('rejects characters XML does not allow', () => {
    syntax(min('secret', 'se\u0001cret'), 10, /disallowed character/);
    syntax(min('secret', 'se&#0;cret'), 10, /malformed character entity/);
  });

  it('rejects deep nesting quickly (saxes namespace handling is quadratic in depth)', () => {
    const n = 200_000;
    const started = Date.now();
    syntax(`<template>\n${'<a>'.repeat(n)}${'</a>'.repeat(n)}</template>`, 2, /nested more than 32 levels deep/);
    assert.ok(Date.now() - started < 5000);
  });

  it('rejects a non-string', () => {
    assert.throws(() => parseTdl(undefined as unknown as string), TdlError);
  });

  it('counts lines across CRLF and CR line ends', () => {
    const typo = min('<arch>x86_64</arch>', '<arc>x86_64</arc>');
    rejects(typo.replace(/\n/g, '\r\n'), { line: 6, kind: 'schema', reason: /element "arc" not allowed here/ });
    rejects(typo.replace(/\n/g, '\r'), { line: 6, kind: 'schema', reason: /element "arc" not allowed here/ });
  });

  it('points at the attribute line of a multi-line start tag', () => {
    const xml = withSection('<files>\n<file\n   name="/x"\n   type="zip">x</file></files>');
    rejects(xml, { line: lineOf(xml, 'type="zip"'), kind: 'schema', reason: /invalid value "zip"/ });
  });
});
