import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactName, ArtifactStore, ReadableArtifact, ArtifactOwners } from '../core/ports/artifact-store.js';
import { AppError } from '../domain/errors.js';
import { LocalArtifactStore } from './local-artifact-store.js';

export interface S3ArtifactStoreOptions {
  /** s3://bucket[/prefix] */
  url: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** This machine's working copies: the same layout as the local store, kept only as a cache. */
  local: { storage: string; scratch: string; cache: string };
}

/**
 * Image files as objects in an S3-compatible store, the copy every daemon and worker agrees on:
 * `<prefix>/<id>.body` and `<prefix>/<id>/<artifact>` (an OCI layout directory is one object per file).
 * Builds still work on local files: paths are those of a local working copy; `install` and `share`
 * also upload (multipart, streamed) or copy server-side, `exists` fetches a file another machine made,
 * and `openRead` streams byte ranges straight from the store.
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly local: LocalArtifactStore;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly opts: S3ArtifactStoreOptions) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(opts.url);
    if (!m) throw new AppError('CONFIG_INVALID', `config key "artifact_store": not an s3://bucket/prefix URL: ${opts.url}`);
    this.bucket = m[1];
    this.prefix = m[2].replace(/\/+$/, '');
    this.local = new LocalArtifactStore(opts.local);
    this.client = new S3Client({ region: opts.region, endpoint: opts.endpoint || undefined, forcePathStyle: Boolean(opts.endpoint), credentials: opts.credentials });
  }

  /** The bucket must answer at start-up: otherwise a clear error naming it. */
  async init(): Promise<void> {
    await this.local.init();
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const why = (e as { name?: string; message?: string }).name === 'NotFound' ? 'the bucket does not exist' : (e as Error).message || (e as { name?: string }).name;
      throw new AppError('STORE_UNAVAILABLE', `artifact store ${this.opts.url}${this.opts.endpoint ? ` at ${this.opts.endpoint}` : ''} is unreachable: ${why}`);
    }
  }

  close(): void {
    this.client.destroy();
  }

  bodyPath(imageId: string): string { return this.local.bodyPath(imageId); }
  artifactPath(imageId: string, name: ArtifactName): string { return this.local.artifactPath(imageId, name); }
  makeScratchDir(imageId: string): Promise<string> { return this.local.makeScratchDir(imageId); }
  removeScratch(imageId: string): Promise<void> { return this.local.removeScratch(imageId); }
  cacheDir(): string { return this.local.cacheDir(); }
  /** After a crash: the local working copies only. Objects live in a bucket other daemons share. */
  removeUnowned(owners: ArtifactOwners): Promise<string[]> { return this.local.removeUnowned(owners); }

  async removeAll(imageId: string): Promise<void> {
    await this.local.removeAll(imageId);
    const keys = [this.key(this.bodyPath(imageId)), ...await this.list(`${this.key(join(this.opts.local.storage, imageId))}/`)];
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  async install(fromPath: string, toPath: string): Promise<void> {
    await this.local.install(fromPath, toPath);
    await this.upload(toPath);
  }

  async share(fromPath: string, toPath: string): Promise<void> {
    await this.local.share(fromPath, toPath);
    for (const file of await filesUnder(toPath)) {
      const source = join(fromPath, relative(toPath, file));
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(file), CopySource: encodeURI(`${this.bucket}/${this.key(source)}`) }));
    }
  }

  /** True when the store has it; a file made on another machine is fetched into the working copy. */
  async exists(path: string): Promise<boolean> {
    if (await this.local.exists(path)) return true;
    if (!this.isStored(path)) return false; // scratch files live on this machine only
    const key = this.key(path);
    const under = await this.list(`${key}/`);
    if (under.length) {
      for (const k of under) await this.download(k, join(this.opts.local.storage, k.slice(this.prefix ? this.prefix.length + 1 : 0)));
      return true;
    }
    try {
      await this.download(key, path);
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async openRead(path: string): Promise<ReadableArtifact | undefined> {
    if (!this.isStored(path)) return this.local.openRead(path);
    const key = this.key(path);
    let head;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    return {
      size: Number(head.ContentLength ?? 0),
      modified: head.LastModified ?? new Date(0),
      stream: async (range) => {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
        return res.Body as Readable;
      },
    };
  }

  /**
   * Uploads the image's files written in place (build and serial logs, SBOM), and a disk upload the
   * daemon received for an import (once), so that a worker on another machine can convert it.
   */
  async publish(imageId: string): Promise<void> {
    for (const name of ['build.log', 'serial.log', 'sbom.spdx.json'] as const) {
      const path = this.artifactPath(imageId, name);
      if (await this.local.exists(path)) await this.upload(path);
    }
    const upload = join(this.opts.local.scratch, imageId, IMPORT_UPLOAD);
    if ((await this.local.exists(upload)) && !(await this.openRead(upload))) await this.upload(upload);
  }

  private async upload(path: string): Promise<void> {
    for (const file of await filesUnder(path)) {
      const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: this.key(file), Body: createReadStream(file) }, partSize: 8 * 1024 * 1024, queueSize: 4 });
      await upload.done();
    }
  }

  private async download(key: string, path: string): Promise<void> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    await mkdir(dirname(path), { recursive: true });
    // Whole or not at all: a reader of the working copy never sees a half-fetched file.
    const partial = `${path}.partial-${process.pid}`;
    await pipeline(res.Body as Readable, createWriteStream(partial));
    await rename(partial, path);
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private isStored(path: string): boolean {
    const rel = relative(this.opts.local.storage, path);
    const scratch = relative(this.opts.local.scratch, path).split(sep);
    return (Boolean(rel) && !rel.startsWith('..')) || (scratch.length === 2 && scratch[1] === IMPORT_UPLOAD && !scratch[0].startsWith('..'));
  }

  /** A working-copy path under the storage directory (or an import upload in scratch) → its object key. */
  private key(path: string): string {
    const scratch = relative(this.opts.local.scratch, path).split(sep);
    if (scratch.length === 2 && scratch[1] === IMPORT_UPLOAD && !scratch[0].startsWith('..')) return this.prefix ? `${this.prefix}/${scratch.join('/')}` : scratch.join('/');
    const rel = relative(this.opts.local.storage, path);
    if (!rel || rel.startsWith('..')) throw new Error(`not an artifact path: ${path}`);
    const k = rel.split(sep).join('/');
    return this.prefix ? `${this.prefix}/${k}` : k;
  }
}

/** Where the import use-case leaves an uploaded disk in the image's scratch directory. */
const IMPORT_UPLOAD = 'import.upload';

async function filesUnder(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const e of await readdir(path, { withFileTypes: true })) out.push(...await filesUnder(join(path, e.name)));
  return out;
}

function isMissing(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}
