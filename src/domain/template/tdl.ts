/** A parsed, validated TDL template (see shared spec tdl.md). Produced by parseTdl(). */

export const TDL_ARCHES = ['i386', 'x86_64', 'ppc64', 'ppc64le', 'aarch64', 'armv7l', 's390x'] as const;
export type TdlArch = (typeof TDL_ARCHES)[number];

export type TdlContentType = 'raw' | 'base64' | 'url';

export type TdlInstall =
  | { type: 'url'; url: string }
  | {
      type: 'iso';
      iso: string;
      checksum: { type: 'md5' | 'sha1' | 'sha256'; url: string } | null;
      extras: { kind: 'directory' | 'file'; source: string; destination: string }[];
    };

export interface TdlPackage {
  name: string;
  repository: string | null;
  file: string | null;
  arguments: string | null;
}

export interface TdlFile {
  /** Absolute path of the file inside the image. */
  name: string;
  type: TdlContentType;
  content: string;
}

export interface TdlCommand {
  name: string;
  position: number | null;
  type: TdlContentType;
  content: string;
}

export interface TdlRepository {
  name: string;
  url: string;
  signed: boolean;
  persisted: boolean;
  sslverify: boolean;
}

export interface Tdl {
  version: string | null;
  name: string;
  description: string | null;
  os: {
    name: string;
    version: string;
    arch: TdlArch;
    install: TdlInstall;
    rootpw: string | null;
    key: string | null;
    kernelparam: string | null;
    icicleExtraCommand: string | null;
  };
  packages: TdlPackage[];
  files: TdlFile[];
  /** In run order (by position when given, else document order). */
  commands: TdlCommand[];
  precommands: TdlCommand[];
  repositories: TdlRepository[];
  /** Disk size in bytes; null when the template gives none (plugins default to 10 GB). */
  diskSizeBytes: number | null;
}

export const DEFAULT_DISK_SIZE_BYTES = 10 * 1000 * 1000 * 1000;

/** One installed package, as listed in an ICICLE and an SBOM. */
export interface InstalledPackage {
  name: string;
  version: string;
  arch: string;
}
