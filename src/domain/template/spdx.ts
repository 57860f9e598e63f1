/**
 * SPDX 2.3 JSON SBOM of a base image (https://spdx.github.io/spdx-spec/v2.3/).
 *
 * Shape: the document DESCRIBES one root package for the image (primaryPackagePurpose
 * OPERATING-SYSTEM), which CONTAINS one package per installed OS package. Every package has
 * downloadLocation, licenses and copyright NOASSERTION (we do not analyse them), filesAnalyzed
 * false, and, for dpkg/rpm distributions, a purl external reference:
 *   pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12
 * (purl rules: version percent-encoded except ':', qualifiers sorted; `distro` lets scanners
 * such as grype pick the right vulnerability feed).
 */
import type { InstalledPackage } from './tdl.js';

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  primaryPackagePurpose?: string;
  description?: string;
  externalRefs?: SpdxExternalRef[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS';
  relatedSpdxElement: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
}

export interface RenderSpdxInput {
  imageId: string;
  /** Image (template) name. */
  name: string;
  created: Date;
  packages: readonly InstalledPackage[];
  osName: string;
  osVersion: string;
  /** `Tool:` creator, ideally `name-version`. Default `imagefactory`. */
  tool?: string;
}

export const SPDX_IMAGE_ID = 'SPDXRef-Image';
const NOASSERTION = 'NOASSERTION';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fields SPDX requires of every package that we cannot assert for an OS package list. */
const UNASSERTED = {
  supplier: NOASSERTION,
  downloadLocation: NOASSERTION,
  filesAnalyzed: false,
  licenseConcluded: NOASSERTION,
  licenseDeclared: NOASSERTION,
  copyrightText: NOASSERTION,
} as const;

export function renderSpdx(input: RenderSpdxInput): SpdxDocument {
  const distro = purlDistro(input.osName, input.osVersion);
  const ids = new Set<string>(['SPDXRef-DOCUMENT', SPDX_IMAGE_ID]);
  const sorted = input.packages.filter((p) => p.name !== '').sort(
    (a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.arch, b.arch),
  );
  const packages: SpdxPackage[] = sorted.map((p) => {
    const pkg: SpdxPackage = {
      SPDXID: uniqueId(ids, `SPDXRef-Package-${distro?.type ?? 'os'}-${p.name}-${p.arch}`),
      name: p.name,
      ...(p.version ? { versionInfo: p.version } : {}),
      ...UNASSERTED,
    };
    if (distro && p.version) {
      pkg.externalRefs = [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl(distro, p) }];
    }
    return pkg;
  });
  const image: SpdxPackage = {
    SPDXID: SPDX_IMAGE_ID,
    name: input.name,
    versionInfo: `${input.osName} ${input.osVersion}`,
    ...UNASSERTED,
    primaryPackagePurpose: 'OPERATING-SYSTEM',
    description: `Base image ${input.imageId}: ${input.osName} ${input.osVersion}`,
  };
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${input.name} (${input.osName} ${input.osVersion})`,
    documentNamespace: UUID.test(input.imageId)
      ? `urn:uuid:${input.imageId.toLowerCase()}`
      : `urn:imagefactory:sbom:${encodeURIComponent(input.imageId)}`,
    creationInfo: { created: spdxDate(input.created), creators: [`Tool: ${input.tool ?? 'imagefactory'}`] },
    packages: [image, ...packages],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: SPDX_IMAGE_ID },
      ...packages.map((p): SpdxRelationship => ({ spdxElementId: SPDX_IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}

/** SPDX wants `YYYY-MM-DDThh:mm:ssZ` (UTC, no fraction). */
export function spdxDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface PurlDistro {
  type: 'deb' | 'rpm';
  namespace: string;
  distro: string;
}

const DEB_DISTROS = new Set(['debian', 'ubuntu']);
const RPM_DISTROS: Record<string, string> = {
  fedora: 'fedora', rhel: 'redhat', redhatenterpriselinux: 'redhat', centos: 'centos', scientificlinux: 'scientificlinux',
  sl: 'scientificlinux', opensuse: 'opensuse', oel: 'oracle', ol: 'oracle', mageia: 'mageia',
};

/** The purl type and namespace for an Oz OS name (`Debian`, `Ubuntu`, `RHEL-7`, `CentOS-7`, ...); null when unknown. */
export function purlDistro(osName: string, osVersion: string): PurlDistro | null {
  const family = osName.toLowerCase().replace(/-\d.*$/, '').replace(/[^a-z]/g, '');
  if (DEB_DISTROS.has(family)) return { type: 'deb', namespace: family, distro: `${family}-${osVersion}` };
  const ns = RPM_DISTROS[family];
  return ns ? { type: 'rpm', namespace: ns, distro: `${ns}-${osVersion}` } : null;
}

export function purl(d: PurlDistro, p: InstalledPackage): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':');
  const qualifiers = [...(p.arch ? [['arch', p.arch]] : []), ['distro', d.distro]]
    .sort(([a], [b]) => cmp(a!, b!))
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  return `pkg:${d.type}/${d.namespace}/${enc(p.name)}@${enc(p.version)}?${qualifiers}`;
}

/** SPDX ids match `^SPDXRef-[A-Za-z0-9.-]+$`; other characters become `-`, and clashes get a suffix. */
function uniqueId(ids: Set<string>, raw: string): string {
  const base = `SPDXRef-${raw.slice('SPDXRef-'.length).replace(/[^A-Za-z0-9.-]/g, '-')}`;
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  ids.add(id);
  return id;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
