/** Where image files live. The local implementation keeps them under <data_dir>/storage. */
export interface ArtifactStore {
  /** The image body served by raw_image (disk, archive...). */
  bodyPath(imageId: string): string;
  /** Other files of the image: rootfs.tar, build.log, serial.log, sbom.spdx.json, oci (an OCI image layout). */
  artifactPath(imageId: string, name: ArtifactName): string;
  /** A fresh private scratch directory for a build (removed by removeScratch). */
  makeScratchDir(imageId: string): Promise<string>;
  removeScratch(imageId: string): Promise<void>;
  /** Removes every file of the image. Missing files are fine. */
  removeAll(imageId: string): Promise<void>;
  /** Moves a finished file into place atomically (same filesystem rename). */
  install(fromPath: string, toPath: string): Promise<void>;
  /** Makes `toPath` share `fromPath`'s content without copying (hard link; copy when linking fails). */
  share(fromPath: string, toPath: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /**
   * After a hard crash: removes every image file no record owns (bodies, per-image directories,
   * scratch directories, half-copied `.partial` files). Returns what it removed.
   */
  removeUnowned(owners: ArtifactOwners): Promise<string[]>;
  /** Shared download cache directory (size-limited). */
  cacheDir(): string;
  /**
   * An artifact for reading where it really lives (a file, or an object store): size, modification time
   * and a stream of a byte range. undefined when it does not exist. Serves raw_image, logs and SBOMs.
   */
  openRead?(path: string): Promise<ReadableArtifact | undefined>;
  /** Object stores: copies the image's files written in place (logs, SBOM) to where other machines see them. */
  publish?(imageId: string): Promise<void>;
}

export interface ReadableArtifact {
  size: number;
  modified: Date;
  /** The bytes start..end (inclusive), or all of them. */
  stream(range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
}

export type ArtifactName = 'rootfs.tar' | 'build.log' | 'serial.log' | 'sbom.spdx.json' | 'oci';

/** Which images may keep which files (ids). */
export interface ArtifactOwners {
  /** May keep `<id>.body` (COMPLETE images). */
  bodies: ReadonlySet<string>;
  /** May keep their per-image directory (every image with a record: logs, SBOM...). */
  files: ReadonlySet<string>;
  /** May keep a scratch directory (builds queued again, e.g. an imported disk waiting to be converted). */
  scratch: ReadonlySet<string>;
}
