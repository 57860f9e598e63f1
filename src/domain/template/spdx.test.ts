import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { purlDistro, renderSpdx, spdxDate, type SpdxDocument } from './spdx.js';
import type { InstalledPackage } from './tdl.js';

/*
 * No SPDX validator is available offline here (Debian bookworm has no python3-spdx-tools; the npm
 * registry has only license-expression helpers), so this checks the document against the SPDX 2.3
 * JSON schema's rules directly: required fields and their types, the SPDXID pattern, the
 * creationInfo date format, enum values, unique ids and resolvable relationships.
 */
function assertValidSpdx23(doc: SpdxDocument): void {
  const d = doc as unknown as Record<string, unknown>;
  assert.equal(d.spdxVersion, 'SPDX-2.3');
  assert.equal(d.dataLicense, 'CC0-1.0');
  assert.equal(d.SPDXID, 'SPDXRef-DOCUMENT');
  assert.equal(typeof d.name, 'string');
  assert.ok((d.name as string).length > 0);
  // documentNamespace: an absolute URI without a fragment.
  assert.match(d.documentNamespace as string, /^[a-z][a-z0-9+.-]*:[^#\s]+$/i);
  assert.doesNotThrow(() => new URL(d.documentNamespace as string));
  const ci = d.creationInfo as { created: string; creators: string[] };
  assert.match(ci.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.ok(ci.creators.length >= 1);
  for (const c of ci.creators) assert.match(c, /^(Tool|Organization|Person): \S/);

  const allowedPackageKeys = new Set([
    'SPDXID', 'name', 'versionInfo', 'supplier', 'originator', 'downloadLocation', 'filesAnalyzed', 'licenseConcluded',
    'licenseDeclared', 'copyrightText', 'primaryPackagePurpose', 'description', 'externalRefs', 'comment', 'summary',
  ]);
  const purposes = new Set(['APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'OPERATING-SYSTEM', 'DEVICE', 'FIRMWARE', 'SOURCE', 'ARCHIVE', 'FILE', 'INSTALL', 'OTHER']);
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const p of doc.packages) {
    for (const k of Object.keys(p)) assert.ok(allowedPackageKeys.has(k), `unexpected package property ${k}`);
    assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.ok(!ids.has(p.SPDXID), `duplicate SPDXID ${p.SPDXID}`);
    ids.add(p.SPDXID);
    assert.ok(p.name.length > 0);
    assert.equal(typeof p.downloadLocation, 'string');
    assert.equal(typeof p.filesAnalyzed, 'boolean');
    if (p.supplier !== undefined) assert.match(p.supplier, /^(NOASSERTION|(Person|Organization): .+)$/);
    if (p.primaryPackagePurpose !== undefined) assert.ok(purposes.has(p.primaryPackagePurpose));
    for (const r of p.externalRefs ?? []) {
      assert.ok(['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER'].includes(r.referenceCategory));
      assert.equal(r.referenceType, 'purl');
      assert.match(r.referenceLocator, /^pkg:[a-z]+\/[^/?#@]+\/[^/?#@]+@[^?#@]+(\?[a-z]+=[^&#]+(&[a-z]+=[^&#]+)*)?$/);
    }
  }
  const types = new Set(['DESCRIBES', 'CONTAINS']);
  for (const r of doc.relationships) {
    assert.ok(types.has(r.relationshipType));
    assert.ok(ids.has(r.spdxElementId), `dangling ${r.spdxElementId}`);
    assert.ok(ids.has(r.relatedSpdxElement), `dangling ${r.relatedSpdxElement}`);
  }
  assert.ok(doc.relationships.some((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES'));
  // JSON-serialisable as is.
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
}

const PKGS: InstalledPackage[] = [
  { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
  { name: 'libstdc++6', version: '12.2.0-14', arch: 'amd64' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' },
  { name: 'libc6', version: '2.36-9+deb12u4', arch: 'i386' },
  { name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' },
];
const ID = '3f2b0a6c-8d4e-4c1a-9b7f-0123456789ab';
const CREATED = new Date('2024-05-01T12:34:56.789Z');

describe('renderSpdx', () => {
  const doc = renderSpdx({ imageId: ID, name: 'web', created: CREATED, packages: PKGS, osName: 'Debian', osVersion: '12' });

  it('is a valid SPDX 2.3 document', () => assertValidSpdx23(doc));

  it('has the document header', () => {
    assert.equal(doc.documentNamespace, `urn:uuid:${ID}`);
    assert.deepEqual(doc.creationInfo, { created: '2024-05-01T12:34:56Z', creators: ['Tool: imagefactory'] });
    assert.equal(doc.name, 'web (Debian 12)');
  });

  it('describes the image, which contains every package', () => {
    const [image, ...pkgs] = doc.packages;
    assert.equal(image!.SPDXID, 'SPDXRef-Image');
    assert.equal(image!.primaryPackagePurpose, 'OPERATING-SYSTEM');
    assert.deepEqual(doc.relationships[0], { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' });
    assert.equal(pkgs.length, PKGS.length);
    assert.deepEqual(
      doc.relationships.slice(1).map((r) => [r.spdxElementId, r.relationshipType, r.relatedSpdxElement]),
      pkgs.map((p) => ['SPDXRef-Image', 'CONTAINS', p.SPDXID]),
    );
  });

  it('lists each package with version, NOASSERTION download location and a deb purl', () => {
    const bash = doc.packages.find((p) => p.name === 'bash')!;
    assert.deepEqual(bash, {
      SPDXID: 'SPDXRef-Package-deb-bash-amd64',
      name: 'bash',
      versionInfo: '5.2.15-2+b2',
      supplier: 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12' }],
    });
    const purls = doc.packages.flatMap((p) => p.externalRefs ?? []).map((r) => r.referenceLocator);
    assert.ok(purls.includes('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12'));
    assert.ok(purls.includes('pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12'));
    assert.ok(purls.includes('pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=i386&distro=debian-12'));
  });

  it('gives every package a distinct, pattern-conforming SPDXID', () => {
    const ids = doc.packages.map((p) => p.SPDXID);
    assert.ok(ids.includes('SPDXRef-Package-deb-libstdc--6-amd64'));
    assert.ok(ids.includes('SPDXRef-Package-deb-libc6-i386'));
    const clash = renderSpdx({ imageId: ID, name: 'x', created: CREATED, osName: 'Debian', osVersion: '12', packages: [
      { name: 'a+b', version: '1', arch: 'all' }, { name: 'a-b', version: '1', arch: 'all' }, { name: 'a-b', version: '2', arch: 'all' },
    ] });
    assertValidSpdx23(clash);
    assert.deepEqual(clash.packages.slice(1).map((p) => p.SPDXID), ['SPDXRef-Package-deb-a-b-all', 'SPDXRef-Package-deb-a-b-all-2', 'SPDXRef-Package-deb-a-b-all-3']);
  });

  it('is deterministic for the same input, whatever the package order', () => {
    const again = renderSpdx({ imageId: ID, name: 'web', created: CREATED, packages: [...PKGS].reverse(), osName: 'Debian', osVersion: '12' });
    assert.deepEqual(again, doc);
  });

  it('uses rpm purls for rpm distributions and none for unknown ones', () => {
    const fedora = renderSpdx({ imageId: ID, name: 'f', created: CREATED, osName: 'Fedora', osVersion: '39', packages: [{ name: 'bash', version: '5.2.26-1.fc39', arch: 'x86_64' }] });
    assertValidSpdx23(fedora);
    assert.equal(fedora.packages[1]!.externalRefs![0]!.referenceLocator, 'pkg:rpm/fedora/bash@5.2.26-1.fc39?arch=x86_64&distro=fedora-39');
    assert.deepEqual(purlDistro('RHEL-7', '9'), { type: 'rpm', namespace: 'redhat', distro: 'redhat-9' });
    assert.deepEqual(purlDistro('Ubuntu', '22.04'), { type: 'deb', namespace: 'ubuntu', distro: 'ubuntu-22.04' });
    const win = renderSpdx({ imageId: 'not-a-uuid/x', name: 'w', created: CREATED, osName: 'Windows', osVersion: '2019', packages: [{ name: 'app', version: '1', arch: 'x86_64' }] });
    assertValidSpdx23(win);
    assert.equal(win.packages[1]!.externalRefs, undefined);
    assert.equal(win.documentNamespace, 'urn:imagefactory:sbom:not-a-uuid%2Fx');
  });

  it('handles an empty package list', () => {
    const empty = renderSpdx({ imageId: ID, name: 'e', created: CREATED, packages: [], osName: 'Debian', osVersion: '12' });
    assertValidSpdx23(empty);
    assert.equal(empty.packages.length, 1);
    assert.equal(empty.relationships.length, 1);
  });

  it('formats dates without fractions, in UTC', () => {
    assert.equal(spdxDate(new Date('2024-01-02T03:04:05.000+02:00')), '2024-01-02T01:04:05Z');
  });
});
